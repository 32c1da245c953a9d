from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader, code_translations


@tagged("post_install", "-at_install")
class TestProcessMapWording(TransactionCase):
    """Every sentence of the process map is one translatable text with named
    placeholders (``_t("%(count)s visits", {...})``), so that a translation may reorder
    it: no sentence is built from fragments of the template."""

    def test_sentences_extracted_whole(self):
        reader = TranslationModuleReader(self.env.cr, modules=["base_process_intelligence"], lang="en_US")
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments in reader}
        sentences = {
            "Data as of %(time)s",
            "%(count)s visits",
            "%(count)s dropped out",
            "%(median)s / %(p90)s (≤ %(expected)s)",
            "%(share)s of %(count)s records followed the designed process.",
            "%(count)s (%(share)s)",
            "Variants %(paths)s",
            "(%(count)s distinct paths)",
            "%(outcome)s rate",
            "%(source)s → %(target)s: %(count)s (%(kind)s)",
            "%(source)s → %(target)s: %(count)s (%(kind)s), median time in the alternate step: %(time)s",
        }
        self.assertEqual(sentences - terms, set())
        # the fragments the template used to glue around its values
        fragments = {
            "visits",
            "dropped out",
            "Data as of",
            "UTC",
            "of",
            "records followed the designed process.",
            "distinct paths)",
            "rate",
        }
        self.assertEqual(fragments & terms, set())

    def test_web_terms_translated_as_elsewhere(self):
        """The web client merges the terms of every module in one dictionary, in no
        fixed order: a term of the map that another installed module translates
        otherwise (web's "Step" of a number field, utm's "Design") would show either
        translation. The map's terms are its own or translated alike."""
        for lang in ("ru_RU", "zh_CN"):
            messages = code_translations.get_web_translations("base_process_intelligence", lang)["messages"]
            ours = {message["id"]: message["string"] for message in messages}
            clashes = set()
            for module in self.env.registry._init_modules - {"base_process_intelligence"}:
                for message in code_translations.get_web_translations(module, lang)["messages"]:
                    if message["id"] in ours and ours[message["id"]] != message["string"]:
                        clashes.add((module, message["id"], message["string"]))
            self.assertEqual(clashes, set(), lang)
