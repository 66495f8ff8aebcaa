"""Map the user's column names onto stockwise's canonical names, once, at the edge.

Users give an explicit mapping (``date=Date,y=Ventes``) or let stockwise recognise common
English and French ERP headers (``Date``, ``Ventes``, ``Produit``, ``Stock`` ...). Explicit
entries win; detection fills only canonical names still unclaimed; columns that map to
nothing are kept untouched (they may be drivers such as ``open`` or ``snap``). The mapping
is remembered so that quarantine files can be written back with the user's own headers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from stockwise import schema as S
from stockwise.errors import MappingError

# Names a user may write on the left of ``--map`` (besides the canonical names themselves).
TARGET_ALIASES: dict[str, str] = {
    "id": S.UNIQUE_ID,
    "sku": S.UNIQUE_ID,
    "series": S.UNIQUE_ID,
    "date": S.DS,
    "day": S.DS,
    "period": S.DS,
    "sales": S.Y,
    "qty": S.Y,
    "quantity_sold": S.Y,
    "units": S.Y,
    "demand": S.Y,
    "stock": S.ON_HAND,
    "onhand": S.ON_HAND,
    "cost": S.UNIT_COST,
    "lead_time": S.LEAD_TIME_DAYS,
    "shelf_life": S.SHELF_LIFE_DAYS,
    "expiry": S.EXPIRY_DATE,
    "qty_batch": S.QUANTITY,
    "vendor": S.SUPPLIER,
    "fournisseur": S.SUPPLIER,
}

# Header spellings recognised automatically, normalised (lower case, no accents, only
# letters and digits). Earlier entries win when a file has several candidates.
SYNONYMS: dict[str, tuple[str, ...]] = {
    S.UNIQUE_ID: (
        "uniqueid",
        "seriesid",
        "sku",
        "skuid",
        "itemid",
        "id",
        "codearticle",
        "refarticle",
        "reference",
        "ref",
        "articleid",
        "productid",
        "codeproduit",
    ),
    S.DS: (
        "ds",
        "date",
        "datevente",
        "day",
        "jour",
        "period",
        "periode",
        "datetime",
        "timestamp",
        "week",
        "semaine",
        "month",
        "mois",
    ),
    S.Y: (
        "y",
        "sales",
        "ventes",
        "vente",
        "qtysold",
        "unitssold",
        "quantitysold",
        "qty",
        "quantity",
        "quantite",
        "qte",
        "units",
        "unites",
        "volume",
        "demand",
        "demande",
        "sold",
        "vendus",
        "qtevendue",
    ),
    S.SECTOR: ("sector", "secteur", "segment", "division"),
    S.PRODUCT: (
        "product",
        "produit",
        "productname",
        "article",
        "item",
        "libelle",
        "designation",
        "nomproduit",
    ),
    S.STORE: (
        "store",
        "storeid",
        "magasin",
        "shop",
        "boutique",
        "site",
        "pointdevente",
        "officine",
        "location",
    ),
    S.CATEGORY: (
        "category",
        "categorie",
        "family",
        "famille",
        "rayon",
        "department",
        "departement",
        "dept",
        "deptid",
        "catid",
    ),
    S.PRICE: ("price", "prix", "unitprice", "prixunitaire", "sellprice", "pvc", "prixvente"),
    S.PROMO: ("promo", "promotion", "onpromo", "enpromo", "promoflag"),
    S.ON_HAND: (
        "onhand",
        "stock",
        "stocklevel",
        "niveaustock",
        "qtyonhand",
        "stockdisponible",
        "stockphysique",
        "inventory",
        "enstock",
    ),
    S.ON_ORDER: ("onorder", "encommande", "commandeencours", "openorders", "qtyonorder"),
    S.ON_ORDER_DUE: ("onorderdue", "duedate", "datelivraison", "datereception", "eta"),
    S.LEAD_TIME_DAYS: (
        "leadtimedays",
        "leadtime",
        "delai",
        "delailivraison",
        "delaiappro",
        "delaijours",
    ),
    S.LEAD_TIME_STD_DAYS: ("leadtimestddays", "leadtimestd", "ecarttypedelai"),
    S.UNIT_COST: ("unitcost", "cost", "cout", "coutunitaire", "prixachat", "pa"),
    S.MOQ: ("moq", "minimumorder", "minorderqty", "qmc", "minimumcommande"),
    S.PACK_SIZE: ("packsize", "pack", "colisage", "conditionnement", "casepack", "pcb"),
    S.SUPPLIER: (
        "supplier",
        "fournisseur",
        "vendor",
        "suppliername",
        "supplierid",
        "nomfournisseur",
        "codefournisseur",
        "vendorid",
        "vendorname",
    ),
    S.SHELF_LIFE_DAYS: (
        "shelflifedays",
        "shelflife",
        "dureedevie",
        "dureedeviejours",
        "dureedeviej",
        "dlujours",
        "dlcjours",
        "peremption",
    ),
    S.BATCH_ID: (
        "batchid",
        "batch",
        "lot",
        "numerolot",
        "numerodelot",
        "nlot",
        "nodelot",
        "lotnumber",
        "batchnumber",
    ),
    S.QUANTITY: ("quantity", "qty", "quantite", "qte"),
    S.EXPIRY_DATE: (
        "expirydate",
        "expiry",
        "expiration",
        "dateperemption",
        "dlc",
        "dluo",
        "datexpiration",
        "bestbefore",
    ),
}


def normalise(name: str) -> str:
    """Lower-case, strip accents and everything but letters and digits."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", ascii_only.lower())


@dataclass(frozen=True)
class ColumnMapping:
    """canonical name → the user's column name; ``detected`` lists what was guessed."""

    columns: dict[str, str] = field(default_factory=dict)
    detected: tuple[str, ...] = ()

    def user_name(self, canonical: str) -> str:
        return self.columns.get(canonical, canonical)

    def describe(self) -> str:
        parts = [
            f"{c}={u}" + (" (auto)" if c in self.detected else "")
            for c, u in self.columns.items()
            if c != u
        ]
        return ", ".join(parts) or "no renaming needed"


def parse_map_option(text: str | None) -> dict[str, str]:
    """Parse ``date=Date,y=Ventes`` into {canonical: user column}; aliases resolved."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        if "=" not in item:
            raise MappingError(
                f"mapping entry '{item}' has no '='",
                hint="Write entries as canonical=YourColumn, e.g. --map date=Date,y=Ventes.",
            )
        target, source = (part.strip() for part in item.split("=", 1))
        canonical = resolve_target(target)
        if not source:
            raise MappingError(f"mapping entry '{item}' names no source column")
        mapping[canonical] = source
    return mapping


def resolve_target(name: str) -> str:
    """Turn a left-hand side of ``--map`` into a canonical column name."""
    known = {c for table in S.TABLES.values() for c in table.names}
    key = name.strip().lower()
    if key in known:
        return key
    if key in TARGET_ALIASES:
        return TARGET_ALIASES[key]
    raise MappingError(
        f"'{name}' is not a stockwise column",
        hint="Use one of: " + ", ".join(sorted(known | set(TARGET_ALIASES))) + ".",
    )


def build_mapping(
    columns: list[str],
    explicit: dict[str, str] | None = None,
    *,
    table: S.TableSpec = S.SALES,
    detect: bool = True,
) -> ColumnMapping:
    """Combine explicit entries with automatic detection for the given table's columns."""
    explicit = dict(explicit or {})
    present = set(columns)
    for canonical, source in explicit.items():
        if source not in present:
            raise MappingError(
                f"--map {canonical}={source}: the file has no column '{source}'",
                hint="Columns found: " + ", ".join(repr(c) for c in columns) + ".",
            )
    result = dict(explicit)
    taken = set(explicit.values())
    detected: list[str] = []
    if detect:
        by_norm: dict[str, str] = {}
        for column in columns:
            by_norm.setdefault(normalise(column), column)
        wanted = [c for c in table.names if c not in result]
        # Exact canonical names first, so an existing 'unique_id' is never displaced.
        for canonical in wanted:
            if canonical in present and canonical not in taken:
                result[canonical] = canonical
                taken.add(canonical)
        for canonical in wanted:
            if canonical in result:
                continue
            for synonym in SYNONYMS.get(canonical, ()):
                found = by_norm.get(synonym)
                if found is not None and found not in taken and found not in result:
                    result[canonical] = found
                    taken.add(found)
                    detected.append(canonical)
                    break
    return ColumnMapping(result, tuple(detected))


def apply_mapping(frame: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """Rename the user's columns to canonical names; unmapped columns stay as they are.

    The result shares its data with ``frame`` (only the labels change).
    """
    rename = {
        source: canonical for canonical, source in mapping.columns.items() if source != canonical
    }
    clashes = [c for c in rename.values() if c in frame.columns and c not in rename]
    if clashes:
        raise MappingError(
            f"mapping onto {clashes} would overwrite an existing column of the same name",
            hint="Map that existing column too, or rename it in the file.",
        )
    return frame.rename(columns=rename, copy=False)


def restore_user_names(frame: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """Inverse of :func:`apply_mapping`, for files written back to the user; the result
    shares its data with ``frame`` (only the labels change)."""
    return frame.rename(columns={c: u for c, u in mapping.columns.items() if c != u}, copy=False)
