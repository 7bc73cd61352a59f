"""Forms of the budgeting pages: they parse; the rules and their messages are the services'."""

from django import forms

DATETIME = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
}


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200, label="Project")
    description = forms.CharField(
        max_length=5000,
        label="What it is and who it helps",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        label="How much it costs, in dollars",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    carried_out_by = forms.CharField(
        max_length=200, label="Who carries it out", help_text="A co-op, a group or a person."
    )


class RoundForm(forms.Form):
    title = forms.CharField(max_length=200, label="Name of the round")
    description = forms.CharField(
        max_length=5000,
        required=False,
        label="What it is for",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        label="Budget, in dollars",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    proposals_open_at = forms.DateTimeField(label="Proposals open", **DATETIME)
    proposals_close_at = forms.DateTimeField(label="Proposals close", **DATETIME)
    voting_open_at = forms.DateTimeField(label="Voting opens", **DATETIME)
    voting_close_at = forms.DateTimeField(label="Voting closes", **DATETIME)


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    reason = forms.CharField(max_length=500, required=False, label="Reason (shown to the proposer)")
