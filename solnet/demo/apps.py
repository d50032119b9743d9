from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The `demo` command: a made-up network to look around in; and `load_setup`, the
    network the load test measures. It sits above every other app (it uses them all) and
    nothing imports it."""

    name = "solnet.demo"
    label = "demo"
    verbose_name = "Demo"
