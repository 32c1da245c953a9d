from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.perf_common import created_earlier

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestPerformance(ComplianceCommon):
    """Query budget of the policies on a stage write: a constant number of queries per write()
    call (one per triggered policy, plus the audit rows), whatever the number of records:
    at most +5 per write() for two policies on the target step."""

    def _leads(self, count):
        with created_earlier():
            return self.env["crm.lead"].create(
                [
                    {
                        "name": f"Perf {i}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.stage_new.id,
                        "partner_id": self.partner_vat.id,
                        "expected_revenue": 100,
                    }
                    for i in range(count)
                ]
            )

    def _count(self, leads, stage):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        leads.write({"stage_id": stage.id})
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_stage_write_budget(self):
        # same write without policies (the process guidance only)
        base_1 = self._count(self._leads(1), self.stage_proposal)
        base_50 = self._count(self._leads(50), self.stage_proposal)
        self._policy(
            name="Proposal has revenue",
            trigger="stage",
            step_ids=[(6, 0, self.step_negotiation.ids)],
            requirement="[('expected_revenue', '>', 0)]",
            message="Estimate it.",
        )
        self._policy(
            name="Negotiation has an email",
            trigger="stage",
            step_ids=[(6, 0, self.step_negotiation.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Ask for the email.",
            enforcement="warn",
        )
        self._policy(name="Ignored on this move")  # won trigger: not evaluated
        with_1 = self._count(self._leads(1), self.stage_negotiation)
        with_50 = self._count(self._leads(50), self.stage_negotiation)
        self.assertLessEqual(with_1 - base_1, 8, f"1 lead: {with_1} queries vs {base_1} without policies")
        self.assertLessEqual(
            with_50 - base_50, 8, f"50 leads: {with_50} queries vs {base_50} without policies"
        )

    def test_no_policy_no_query(self):
        leads = self._leads(10)
        base = self._count(leads, self.stage_proposal)
        self._policy(
            name="Other model trigger", trigger="lost", requirement="[('lost_reason_id', '!=', False)]"
        )
        leads2 = self._leads(10)
        with_policy = self._count(leads2, self.stage_proposal)
        self.assertEqual(with_policy, base, "a write no policy is triggered by costs nothing more")

    def test_warnings_in_batch(self):
        self._policy(
            name="Proposal email",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Ask for the email.",
            enforcement="warn",
        )
        one = self._count(self._leads(1), self.stage_proposal)
        fifty = self._count(self._leads(50), self.stage_proposal)
        self.assertLessEqual(fifty - one, 4, f"warning 50 leads: {fifty} queries, 1 lead: {one}")


@tagged("post_install", "-at_install")
class TestPolicyQueryCount(ComplianceCommon):
    """A salesperson's stage write of their leads with two triggered policies (a block and a
    warning, both met): the policies cost the same queries at 1 and at 50 leads — one query
    evaluates both policies' scope and requirement, one INSERT writes every audit row."""

    # the policies' share of a write() (evaluation, audit INSERT), whatever the number of leads
    BUDGET = 2

    def _leads(self, count):
        with created_earlier():
            return (
                self.env["crm.lead"]
                .create(
                    [
                        {
                            "name": f"Counted {i}",
                            "type": "opportunity",
                            "team_id": self.team.id,
                            "user_id": self.user_salesman.id,
                            "stage_id": self.stage_new.id,
                            "partner_id": self.partner_vat.id,
                            "email_from": f"counted{i}@example.com",
                            "expected_revenue": 100,
                        }
                        for i in range(count)
                    ]
                )
                .with_user(self.user_salesman)
            )

    def _write(self, leads, stage):
        leads.env.invalidate_all()
        leads.write({"stage_id": stage.id})

    def _base(self, count):
        """Queries of the same write without policies (caches warm: a first write of as
        many leads fills every cache the measured one reads, as in the policed run)."""
        self._write(self._leads(count), self.stage_proposal)
        leads = self._leads(count)
        self.env.flush_all()
        self.env.cr.flush()
        before = self.env.cr.sql_log_count
        self._write(leads, self.stage_proposal)
        self.env.flush_all()
        self.env.cr.flush()  # as assertQueryCount does (precommit hooks)
        return self.env.cr.sql_log_count - before

    def test_policed_stage_write_query_count(self):
        base = {count: self._base(count) for count in (1, 50)}
        self._policy(
            name="Revenue estimated",
            trigger="stage",
            requirement="[('expected_revenue', '>', 0)]",
            message="Estimate it.",
        )
        self._policy(
            name="Email in proposal",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Ask for the email.",
            enforcement="warn",
        )
        self._write(self._leads(1), self.stage_proposal)  # the policy cache, filled once
        for count in (1, 50):
            self._write(self._leads(count), self.stage_proposal)  # warm, as the base run
            leads = self._leads(count)
            with self.assertQueryCount(base[count] + self.BUDGET):
                self._write(leads, self.stage_proposal)
            logs = self.Log.search([("res_id", "in", leads.ids), ("res_model", "=", "crm.lead")])
            self.assertEqual(len(logs), 2 * count)
            self.assertEqual(set(logs.mapped("outcome")), {"passed"})
            self.assertEqual(logs.owner_id, self.user_salesman)
            self.assertEqual(logs.crm_team_id, self.team)
            self.assertEqual(logs.user_id, self.user_salesman)
            self.assertEqual(set(logs.mapped("record_name")), set(leads.mapped("name")))
