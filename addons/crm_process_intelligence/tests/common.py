from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base_process_intelligence.tests.pi_common import HandCaseMixin, at


class LeadHandCase(HandCaseMixin, TransactionCase):
    """The hand case on leads: a process on four stages of one team; the five leads
    belong to another team (the engine does not guide them), their history is the
    hand case's. The salesperson owns r1 and r5; the others belong to a colleague."""

    team_field = "crm_team_id"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="pi_salesman", groups="sales_team.group_sale_salesman", name="Paula Sales"
        )
        cls.colleague = new_test_user(
            cls.env, login="pi_colleague", groups="sales_team.group_sale_salesman", name="Carl Colleague"
        )
        cls.manager = new_test_user(
            cls.env, login="pi_manager", groups="sales_team.group_sale_manager", name="Maya Manager"
        )
        cls.team = cls.env["crm.team"].create({"name": "PI Team"})
        cls.other_team = cls.env["crm.team"].create({"name": "PI Other Team"})
        cls.unguided_team = cls.env["crm.team"].create({"name": "PI Unguided"})
        Stage = cls.env["crm.stage"]
        stages = {
            key: Stage.create({"name": f"PI-{key.upper()}", "sequence": 2000 + i, "is_won": key == "d"})
            for i, key in enumerate("abcd")
        }
        cls.stages = stages
        cls.process = cls.env["guide.process"].create(
            {"name": "PI Sales", "model_name": "crm.lead", "crm_team_ids": [(6, 0, cls.team.ids)]}
        )
        cls.steps = {
            key: cls.env["guide.step"].create(
                {
                    "process_id": cls.process.id,
                    "crm_stage_id": stages[key].id,
                    "sequence": i,
                    "gate_mode": "advisory",
                    "expected_duration": {"a": 24, "b": 48}.get(key, 0),
                    "expected_duration_unit": "hours",
                }
            )
            for i, key in enumerate("abcd")
        }
        cls.records = {
            key: cls.env["crm.lead"].create(
                {
                    "name": f"PI lead {key}",
                    "type": "opportunity",
                    "team_id": cls.unguided_team.id,
                    "user_id": (cls.agent if key in ("r1", "r5") else cls.colleague).id,
                }
            )
            for key in ("r1", "r2", "r3", "r4", "r5")
        }
        cls.setup_hand_case()

    @classmethod
    def set_outcome(cls, record, outcome, hours):
        if outcome == "success":
            record.write({"stage_id": cls.stages["d"].id})
        else:
            record.write({"active": False, "probability": 0})
        record.write({"date_closed": at(hours)})
        cls.env.flush_all()
