"""What the web client reads of rows that name a record by ``res_model``/``res_id``."""


def deleted_links_emptied(model, specification, values_list):
    """``values_list`` (``web_read``'s answer for ``model``) with the record links of rows
    whose record is deleted (their audit rows stay: history, deviations, feedback, checks)
    read as the empty link, 0: Odoo's ``web_read`` gives them ``False``, and the
    ``many2one_reference`` widget then takes the row for a link to a record of no model
    and the list fails to open ("Oops!")."""
    names = [
        fname
        for fname in specification
        if fname in model._fields and model._fields[fname].type == "many2one_reference"
    ]
    for values in values_list:
        for fname in names:
            if values.get(fname) is False:
                values[fname] = 0
    return values_list
