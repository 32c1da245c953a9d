from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.base_process_guide.models.guide_process_version import PRECOMMIT_FRESH


class GuideProcess(models.Model):
    _inherit = "guide.process"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _pi_demo_version(self, process_xmlid, days_ago, item_vals, name_translations=None, item_xmlid=None):
        """Demo data of the version filter: the demo process gets a second version
        ``days_ago`` days ago (a checklist item ``item_vals`` added, its name translated
        in the installed languages of ``name_translations``: {lang: name}), and its
        generated history rows of since then name it. The item gets the external id
        ``item_xmlid`` (``module.name``), so that the module's translation files reach it
        in the languages installed later. Demo data only (a version is otherwise dated when
        its transaction ends and history rows name the version in force)."""
        process = self.env.ref(process_xmlid, raise_if_not_found=False)
        if not process:
            return False
        Version = self.env["guide.process.version"].sudo()
        # v1: the design the demo data made, closed as if its transaction had ended
        Version._guide_version_make(process)
        self.env.cr.precommit.data.get(PRECOMMIT_FRESH, {}).pop(process.id, None)
        item = self.env["guide.item"].create(item_vals)
        if item_xmlid:
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": item_xmlid, "record": item, "noupdate": True}]
            )
        installed = dict(self.env["res.lang"].get_installed())
        translations = {lang: name for lang, name in (name_translations or {}).items() if lang in installed}
        if translations:
            item.update_field_translations("name", translations)
        version = Version._guide_version_make(process)
        if not version:
            return False
        date = fields.Datetime.now() - timedelta(days=days_ago)
        self.env.flush_all()
        # v2 dated then, the versions before it from the first stage change of the demo
        self.env.cr.execute(SQL("UPDATE guide_process_version SET date = %s WHERE id = %s", date, version.id))
        self.env.cr.execute(
            SQL(
                """UPDATE guide_process_version v SET date = LEAST(v.date, h.first)
                     FROM (SELECT min(date) AS first FROM guide_history WHERE process_id = %s) h
                    WHERE v.process_id = %s AND v.id <> %s""",
                process.id,
                process.id,
                version.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE guide_history SET process_version_id = %s WHERE process_id = %s AND date >= %s",
                version.id,
                process.id,
                date,
            )
        )
        self.env.invalidate_all()
        self.env["guide.step.visit"]._pi_refresh(full=True)
        return True
