"""The one exception a schedule document can raise."""


class ConfigError(ValueError):
    """An invalid schedule document: one sentence naming the field and the rule.

    The message always reads ``"<field path>: <rule>"``, for example
    ``schedule.hold_epochs: warmup_epochs + hold_epochs (95) must not exceed total_epochs (90)``.
    ``field`` holds the path alone, so a user interface can point at the control.
    """

    def __init__(self, field: str, rule: str):
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
