from django.urls import path

from solnet.fights import demand_views, outcome_views, plan_views, research_views, views

app_name = "fights"

urlpatterns = [
    path("", views.fight_list, name="list"),
    path("dashboard/", outcome_views.dashboard, name="dashboard"),
    path("leads/", views.lead_list, name="leads"),
    path("leads/new/", views.lead_new, name="lead_new"),
    path("leads/<str:public_id>/", views.lead_detail, name="lead"),
    path("leads/<str:public_id>/take/", views.lead_take, name="lead_take"),
    path("sheet/", research_views.sheet, name="sheet"),
    path("sheet/new/", research_views.criterion_new, name="criterion_new"),
    path("sheet/<str:public_id>/", research_views.criterion_edit, name="criterion"),
    path("tactics/", plan_views.tactics, name="tactics"),
    path("tactics/new/", plan_views.tactic_new, name="tactic_new"),
    path("tactics/<str:public_id>/", plan_views.tactic_edit, name="tactic"),
    path("targets/", research_views.target_list, name="targets"),
    path("targets/new/", research_views.target_new, name="target_new"),
    path("targets/<str:public_id>/", research_views.target_detail, name="target"),
    path("targets/<str:public_id>/edit/", research_views.target_edit, name="target_edit"),
    path("targets/<str:public_id>/links/", research_views.target_link, name="target_link"),
    path("targets/<str:public_id>/pressure/", research_views.pressure_add, name="pressure_add"),
    path("<str:public_id>/", views.fight_detail, name="detail"),
    path("<str:public_id>/targets/", research_views.fight_target_add, name="target_add"),
    path("<str:public_id>/demands/", demand_views.demands, name="demands"),
    path("<str:public_id>/demands/add/", demand_views.demand_add, name="demand_add"),
    path(
        "<str:public_id>/demands/<str:demand_id>/met/", demand_views.demand_met, name="demand_met"
    ),
    path(
        "<str:public_id>/demands/<str:demand_id>/remove/",
        demand_views.demand_remove,
        name="demand_remove",
    ),
    path("<str:public_id>/deadline/", demand_views.deadline, name="deadline"),
    path("<str:public_id>/outcome/", outcome_views.outcome, name="outcome"),
    path("<str:public_id>/follow-ups/", outcome_views.follow_up_add, name="follow_up_add"),
    path(
        "<str:public_id>/follow-ups/<str:task_id>/",
        outcome_views.follow_up_done,
        name="follow_up_done",
    ),
    path("<str:public_id>/plan/", plan_views.plan, name="plan"),
    path("<str:public_id>/plan/add/", plan_views.step_add, name="step_add"),
    path("<str:public_id>/plan/<str:step_id>/", plan_views.step, name="step"),
    path("<str:public_id>/plan/<str:step_id>/remove/", plan_views.step_remove, name="step_remove"),
    path("<str:public_id>/responses/", plan_views.response_add, name="response_add"),
    path("<str:public_id>/letter/", demand_views.letter, name="letter"),
    path("<str:public_id>/letter/<str:letter_id>.pdf", demand_views.letter_pdf, name="letter_pdf"),
    path("<str:public_id>/intake/", views.fight_intake, name="intake"),
    path("<str:public_id>/winnability/", research_views.fight_winnability, name="winnability"),
    path("<str:public_id>/move/", views.fight_move, name="move"),
    path("<str:public_id>/team/", views.team_add, name="team_add"),
    path("<str:public_id>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "<str:public_id>/evidence/<str:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "<str:public_id>/evidence/<str:evidence_id>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("<str:public_id>/team/<str:member_id>/remove/", views.team_remove, name="team_remove"),
    path("<str:public_id>/team/<str:member_id>/point/", views.point_person, name="point_person"),
]
