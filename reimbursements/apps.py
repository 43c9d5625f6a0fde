from django.apps import AppConfig


class ReimbursementsConfig(AppConfig):
    name = "reimbursements"
    verbose_name = "Reimbursements"

    def ready(self) -> None:
        # The navigation lives in the core, which imports no app: the counts are handed to it.
        from learningday.navigation import register_count
        from reimbursements import selectors

        register_count("claims:review", selectors.review_count, meaning="to review")
        register_count("claims:finance", selectors.to_pay_count, meaning="to pay")
