"""A user working in Russian or Chinese reads the process map, the scorecards and the
step effectiveness of a bridge in their language: the catalogues of
base_process_intelligence and of the bridge as shipped (not a test itself).

The bridge's class sets ``bridge_module``, ``action_suffix`` (its actions are
``<bridge>.guide_process_map_action_<suffix>``...), ``team_field`` (the scorecard's
team column) and the expected texts ``outcome_texts`` ({lang: (success, dropped)}),
``team_text_ru`` and ``effectiveness_title_ru``."""

from odoo.addons.base_process_guide.tools.module_split import module_data_ids

MAP_TITLES = {"ru_RU": "Карта процесса", "zh_CN": "流程图"}


class IntelligenceTranslatedCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    bridge_module = None
    action_suffix = None
    team_field = None
    outcome_texts = None
    team_text_ru = None
    effectiveness_title_ru = None
    demo_item_xmlid = None
    demo_item_names = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("ru_RU", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["base_process_intelligence", cls.bridge_module], ["ru_RU", "zh_CN"], overwrite=True
        )
        cls.agent.lang = "ru_RU"

    def test_demo_version_item_in_languages_installed_later(self):
        """The checklist item the demo's second version adds (created in code) has the
        bridge's external id: the translation files reach it in a language installed after
        the demo data, as they reach the records of the data files."""
        item = self.env.ref(self.demo_item_xmlid, raise_if_not_found=False)
        if not item:
            self.skipTest("installed without demo data")
        # as created while only English was installed
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE guide_item SET name = jsonb_build_object('en_US', name->>'en_US') WHERE id = %s",
            [item.id],
        )
        self.env.invalidate_all()
        self.assertEqual(item.with_context(lang="ru_RU").name, self.demo_item_names["en_US"])
        self.env["ir.module.module"]._load_module_terms([self.bridge_module], ["ru_RU", "zh_CN"])
        for lang, name in self.demo_item_names.items():
            self.assertEqual(item.with_context(lang=lang).name, name)

    def test_demo_version_item_declared_by_the_bridge(self):
        """The demo's item made in code counts among the XML ids its module declares (the
        upgrade check looks for records a module no longer declares)."""
        module, name = self.demo_item_xmlid.split(".")
        self.assertIn(name, module_data_ids(module))

    def _as_agent(self, lang):
        return self.env(user=self.agent, context=dict(self.env.context, lang=lang))

    def _action_name(self, env, name):
        xmlid = f"{self.bridge_module}.{name}_{self.action_suffix}"
        return env["ir.actions.actions"]._for_xml_id(xmlid)["name"]

    def test_process_map_in_the_user_language(self):
        for lang, (success, dropped) in self.outcome_texts.items():
            env = self._as_agent(lang)
            data = env["guide.process"].get_process_map(self.process.id, {})
            self.assertEqual(
                (data["outcome_labels"]["success"], data["outcome_labels"]["dropped"]), (success, dropped)
            )
            self.assertEqual(self._action_name(env, "guide_process_map_action"), MAP_TITLES[lang])
            # the OWL client action's texts, as /web/webclient/translations serves them
            translations, _params = env["ir.http"].get_translations_for_webclient(
                ["base_process_intelligence"], lang
            )
            messages = {m["id"]: m["string"] for m in translations["base_process_intelligence"]["messages"]}
            self.assertEqual(messages["Process Map"], MAP_TITLES[lang])
            self.assertFalse(
                {"Conformance", "Variants %(paths)s", "as designed", "Visits: %(n)s", "Where they left it"}
                - set(messages),
                lang,
            )

    def test_scorecard_and_effectiveness_in_russian(self):
        env = self._as_agent("ru_RU")
        names = ["user_id", self.team_field, "move_count"]
        fields = env["guide.scorecard.report"].fields_get(names, ["string"])
        self.assertEqual(
            [fields[name]["string"] for name in names], ["Сотрудник", self.team_text_ru, "Смены этапа"]
        )
        arch = env["guide.scorecard.report"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("Мои показатели", arch)
        self.assertNotIn("My Figures", arch)
        self.assertEqual(self._action_name(env, "guide_scorecard_report_action"), "Карты показателей")
        self.assertEqual(
            self._action_name(env, "guide_effectiveness_report_action"), self.effectiveness_title_ru
        )
