from odoo import SUPERUSER_ID, api

# A deviation's title (``rule_name``) is translated from this version: Odoo converted the
# column, each title kept as its English text, in the language of the agent who overrode
# the gate, and naming the stage. The titles of the gates of steps that still exist are
# written again in every language of the database, naming the step, as the engine now
# writes them (``guide.deviation._guide_step_titles``), when they read as the step's title
# or its stage's did in some language (a step or stage renamed since keeps its rows' text).
# An end- script: it runs once every module is loaded. A post- script of this module runs
# before the bridges are (they depend on it): a step's stage, of a bridge's stage model,
# could not be read, and the titles naming the stage of a step renamed since were kept.


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Deviation = env["guide.deviation"].with_context(active_test=False)
    deviations = Deviation.search([("kind", "in", ("gate", "move")), ("step_id", "!=", False)])
    if not deviations:
        return
    steps = deviations.step_id.with_context(lang=None, active_test=False)
    titles = Deviation._guide_step_titles({step.id: step.name for step in steps})
    langs = {"en_US", *(code for code, _label in env["res.lang"].get_installed())}
    # what the engine wrote before: the step's stage named in the agent's language
    former = {step.id: set(titles[step.id].values()) for step in steps}
    for lang in langs:
        env_lang = env(context={"lang": lang})
        for step in steps.with_env(env_lang):
            stage = step._guide_stage()
            if stage:
                former[step.id].add(env_lang._("Step %(step)s", step=stage.display_name))
    cr.execute("SELECT id, rule_name->>'en_US' FROM guide_deviation WHERE id = ANY(%s)", [deviations.ids])
    texts = dict(cr.fetchall())
    deviations._guide_store_titles(
        {
            deviation.id: titles[deviation.step_id.id]
            for deviation in deviations
            if texts.get(deviation.id) in former[deviation.step_id.id]
        }
    )
