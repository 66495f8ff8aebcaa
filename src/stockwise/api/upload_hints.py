"""Upload errors in the words of the web: form fields and query parameters, not CLI flags.

The library's errors are written for the command line ("map them, e.g. --map date=Date,
y=Ventes"); on the upload page a user has no flag to type, only the form, and a batches
file deserves a batches example, not a sales one. Rewritten here, at the edge, so the core
keeps one wording.
"""

from __future__ import annotations

import re

from stockwise.errors import InputError, MissingColumnsError

MAPPING_EXAMPLES = {
    "sales": "date=Date,y=Ventes,unique_id=Produit",
    "inventory": "unique_id=Article,on_hand=Stock,unit_cost=Prix achat",
    "batches": "unique_id=Article,batch_id=Lot,quantity=Quantité,expiry_date=DLC",
}
"""A mapping of the table's own columns, in the form's canonical=YourColumn syntax."""
FLAG = re.compile(r"--(map|inventory-map|batches-map)\b\s*")
"""The CLI's mapping flags, as the core's messages quote them."""


def mapping_hint(table: str) -> str:
    example = MAPPING_EXAMPLES.get(table, MAPPING_EXAMPLES["sales"])
    return (
        "Rename the columns in the file, or fill in this form's “Column mapping” field "
        f"(map= on the API) as canonical=YourColumn, e.g. {example}."
    )


def for_the_web(exc: InputError, table: str) -> InputError:
    """The same error with its message and hint naming the form's mapping field (and the
    API's ``map=`` parameter) instead of a CLI flag, with an example of this table."""
    if isinstance(exc, MissingColumnsError):
        exc.hint = mapping_hint(table)
    elif exc.hint:
        exc.hint = FLAG.sub("the column mapping ", exc.hint)
    exc.message = FLAG.sub("column mapping ", exc.message)
    return exc
