from odoo import SUPERUSER_ID, api

# A deviation's title (``rule_name``) is translated from this version (base_process_guide
# 18.0.2.2.6 converted the column, each title kept as its English text, in the language of
# the agent): the titles of the policy overrides and approvals of policies that still exist
# are written again in every language of the database, as the engine now writes them
# (``guide.deviation._compliance_policy_titles``), when they read as the policy's title does
# in some language, or as the engine wrote it before (the agent's language's words, the
# policy's English name) (a policy renamed since keeps its rows' text).


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Deviation = env["guide.deviation"].with_context(active_test=False)
    deviations = Deviation.search([("kind", "in", ("policy", "approval")), ("policy_id", "!=", False)])
    if not deviations:
        return
    langs = {"en_US", *(code for code, _label in env["res.lang"].get_installed())}
    titles, former = {}, {}
    for policy in deviations.policy_id.with_context(active_test=False):
        name = policy.with_context(lang=None).name
        info = {"name": name, "texts": {lang: (policy.with_context(lang=lang).name, "") for lang in langs}}
        titles[policy.id] = Deviation._compliance_policy_titles(info)
        # what the engine wrote before: the agent's language's words, the policy's English
        # name (the configuration cache's)
        english = {"name": name, "texts": {lang: (name, "") for lang in langs}}
        before = Deviation._compliance_policy_titles(english)
        former[policy.id] = {*titles[policy.id].values(), *before.values()}
    cr.execute("SELECT id, rule_name->>'en_US' FROM guide_deviation WHERE id = ANY(%s)", [deviations.ids])
    texts = dict(cr.fetchall())
    deviations._guide_store_titles(
        {
            deviation.id: titles[deviation.policy_id.id]
            for deviation in deviations
            if texts.get(deviation.id) in former[deviation.policy_id.id]
        }
    )
