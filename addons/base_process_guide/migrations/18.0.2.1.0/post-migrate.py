from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Process versions: every process gets its v1 and its stage history rows name it."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["guide.process.version"]._guide_version_install()
