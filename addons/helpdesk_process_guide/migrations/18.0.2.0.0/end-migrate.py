from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Upgrade from 18.0.1: the processes of this bridge's model get their v1 (process
    versions of base_process_guide) and their stage history rows name it, once the
    whole registry is loaded (base_process_guide's install hook ran before the
    bridge guided its model)."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["guide.process.version"]._guide_version_install()
