from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base_process_intelligence.tests.pi_common import HandCaseMixin, at


class TicketHandCase(HandCaseMixin, TransactionCase):
    """The hand case on tickets: a process on four stages of one team (D closes the
    ticket); the five tickets belong to another team (the engine does not guide them),
    their history is the hand case's. The own-tickets agent owns r1 and r5."""

    team_field = "helpdesk_team_id"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="pi_hd_own", groups="helpdesk_mgmt.group_helpdesk_user_own", name="Olivia Own"
        )
        cls.colleague = new_test_user(
            cls.env,
            login="pi_hd_colleague",
            groups="helpdesk_mgmt.group_helpdesk_user",
            name="Colin Colleague",
        )
        cls.manager = new_test_user(
            cls.env, login="pi_hd_manager", groups="helpdesk_mgmt.group_helpdesk_manager", name="Meg Manager"
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team = Team.create({"name": "PI Support"})
        cls.other_team = Team.create({"name": "PI Other Support"})
        cls.unguided_team = Team.create(
            {"name": "PI Unguided Support", "user_ids": [(6, 0, (cls.agent | cls.colleague).ids)]}
        )
        Stage = cls.env["helpdesk.ticket.stage"]
        stages = {
            key: Stage.create({"name": f"PI-{key.upper()}", "sequence": 2000 + i, "closed": key == "d"})
            for i, key in enumerate("abcd")
        }
        cls.stages = stages
        cls.process = cls.env["guide.process"].create(
            {
                "name": "PI Support",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
            }
        )
        cls.steps = {
            key: cls.env["guide.step"].create(
                {
                    "process_id": cls.process.id,
                    "helpdesk_stage_id": stages[key].id,
                    "sequence": i,
                    "gate_mode": "advisory",
                    "expected_duration": {"a": 24, "b": 48}.get(key, 0),
                    "expected_duration_unit": "hours",
                }
            )
            for i, key in enumerate("abcd")
        }
        cls.records = {
            key: cls.env["helpdesk.ticket"].create(
                {
                    "name": f"PI ticket {key}",
                    "description": "<p>PI</p>",
                    "team_id": cls.unguided_team.id,
                    "user_id": (cls.agent if key in ("r1", "r5") else cls.colleague).id,
                }
            )
            for key in ("r1", "r2", "r3", "r4", "r5")
        }
        cls.setup_hand_case()

    @classmethod
    def set_outcome(cls, record, outcome, hours):
        stage = (
            cls.stages["d"]
            if outcome == "success"
            else cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        )
        record.write({"stage_id": stage.id})
        record.write({"closed_date": at(hours)})
        cls.env.flush_all()
