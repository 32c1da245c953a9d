from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestProcessMapWording(TransactionCase):
    """Every sentence of the process map is one translatable text with named
    placeholders (``_t("%(count)s visits", {...})``), so that a translation may reorder
    it: no sentence is built from fragments of the template."""

    def test_sentences_extracted_whole(self):
        reader = TranslationModuleReader(self.env.cr, modules=["base_process_intelligence"], lang="en_US")
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments in reader}
        sentences = {
            "Data as of %(time)s UTC",
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
