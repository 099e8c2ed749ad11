from django.apps import AppConfig


class LeerplanConfig(AppConfig):
    name = "klasse.leerplan"
    label = "leerplan"
    verbose_name = "Leerplan"

    def ready(self) -> None:
        from klasse.accounts.classes import class_removal_holds
        from klasse.accounts.demo import demo_school_ready

        from .class_removal import leerplan_holds
        from .demo import demo_leerplan

        demo_school_ready.connect(demo_leerplan, dispatch_uid="klasse_leerplan_demo")
        class_removal_holds.connect(leerplan_holds, dispatch_uid="klasse_leerplan_holds")
