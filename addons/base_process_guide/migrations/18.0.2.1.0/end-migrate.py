from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Process versions: every process gets its v1 and its stage history rows name it
    (at the end of the update, when the bridges' guided models are loaded)."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["guide.process.version"]._guide_version_install()
