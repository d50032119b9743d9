from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("democracy", "0008_secret_help_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="effect",
            name="kind",
            field=models.CharField(
                choices=[
                    ("fight.move", "Move a fight on"),
                    ("twoperson.approve", "Approve a request that needs two people"),
                    ("members.admit", "Admit a member"),
                    ("members.tier", "Change someone's tier"),
                    ("members.grant_role", "Give someone a role"),
                    ("members.revoke_role", "Take a role away"),
                    ("democracy.rules", "Change this body's rules"),
                    ("democracy.elect", "Send the chosen as delegates"),
                    ("democracy.recall", "Recall a delegate"),
                    ("fights.adopt_step", "Adopt a step of a fight's escalation plan"),
                    ("network.rules", "Change who decides a fight's moves"),
                    ("funds.grant", "Grant an aid request from a fund"),
                    ("funds.waive_dues", "Waive a member's dues"),
                ],
                help_text="What it does",
                max_length=24,
            ),
        ),
    ]
