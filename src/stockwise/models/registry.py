"""Model names → forecasters, so users, profiles and the CLI can name models as text.

``make_model("AutoETS", season_length=12)`` builds a configured forecaster; the
registry knows which constructor arguments each model takes, so a season length given to
a model without seasons is simply not passed. ``default_fallbacks`` gives each model the
chain that catches the series it cannot handle.

What each model is lives in one place, :mod:`stockwise.model_catalogue`; ``MODELS``,
``ALIASES``, ``GLOBAL_AUTO`` and ``_EXTRA_FACTORIES`` here are views of it, read at each
use (and written through to it), so a new catalogue entry is a new model everywhere.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, Generic, TypeVar, cast

from stockwise.errors import OptionError
from stockwise.features.spec import direct_steps
from stockwise.model_catalogue import CATALOGUE, ModelEntry, add, canonical
from stockwise.models.base import Forecaster
from stockwise.models.fallback import FallbackChain

Value = TypeVar("Value")


class CatalogueView(MutableMapping[str, Value], Generic[Value]):
    """A name-keyed table over the catalogue: the entries ``has`` accepts, each as ``read``
    gives it; setting a name rewrites (or adds) its entry with ``write``, deleting it
    takes the entry out of the table (``remove``)."""

    def __init__(
        self,
        has: Callable[[ModelEntry], bool],
        read: Callable[[ModelEntry], Value],
        write: Callable[[str, Value], ModelEntry],
        remove: Callable[[ModelEntry], ModelEntry | None],
    ) -> None:
        self._has, self._read, self._write, self._remove = has, read, write, remove

    def __getitem__(self, name: str) -> Value:
        entry = CATALOGUE.get(name)
        if entry is None or not self._has(entry):
            raise KeyError(name)
        return self._read(entry)

    def __setitem__(self, name: str, value: Value) -> None:
        add(self._write(name, value))

    def __delitem__(self, name: str) -> None:
        entry = CATALOGUE.get(name)
        if entry is None or not self._has(entry):
            raise KeyError(name)
        kept = self._remove(entry)
        if kept is None:
            del CATALOGUE[name]
        else:
            CATALOGUE[name] = kept

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, entry in CATALOGUE.items() if self._has(entry)])

    def __len__(self) -> int:
        return sum(1 for entry in CATALOGUE.values() if self._has(entry))


def _with_target(variant: bool) -> Callable[[str, Any], ModelEntry]:
    def write(name: str, target: Any) -> ModelEntry:
        entry = CATALOGUE.get(name)
        if entry is None:
            return ModelEntry(name, target, variant=variant)
        return dataclasses.replace(entry, target=target, variant=variant)

    return write


def _with_global(name: str, rule: tuple[int, bool]) -> ModelEntry:
    if name not in CATALOGUE:
        raise OptionError(f"unknown model {name!r}: add it to the catalogue first")
    minimum, by_default = rule
    return dataclasses.replace(
        CATALOGUE[name], global_min_series=int(minimum), global_by_default=bool(by_default)
    )


def _model_class(entry: ModelEntry) -> type[Forecaster]:
    return cast("type[Forecaster]", entry.build())


MODELS: MutableMapping[str, type[Forecaster]] = CatalogueView(
    has=lambda entry: not entry.variant,
    read=_model_class,
    write=_with_target(variant=False),
    remove=lambda entry: None,
)
"""The model classes by name."""
_EXTRA_FACTORIES: MutableMapping[str, Callable[..., Forecaster]] = CatalogueView(
    has=lambda entry: entry.variant,
    read=lambda entry: entry.build(),
    write=_with_target(variant=True),
    remove=lambda entry: None,
)
"""The factories that configure a model class as another named model (and plugins')."""


class _Aliases(Mapping[str, str]):
    """Alias → catalogue name, from the entries' ``aliases``."""

    def _table(self) -> dict[str, str]:
        return {alias: e.name for e in CATALOGUE.values() for alias in e.aliases}

    def __getitem__(self, alias: str) -> str:
        return self._table()[alias]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


ALIASES: Mapping[str, str] = _Aliases()
"""Other names users give models (``ETS`` for ``AutoETS``)."""
GLOBAL_AUTO: MutableMapping[str, tuple[int, bool]] = CatalogueView(
    has=lambda entry: entry.global_min_series is not None,
    read=lambda entry: (int(entry.global_min_series or 0), entry.global_by_default),
    write=_with_global,
    remove=lambda entry: dataclasses.replace(entry, global_min_series=None),
)
"""Global models "auto" may add to every series' candidates: name → (minimum number of
series, tried by default). One fit learns from the whole panel, so on a few series such a
model is not worth its cost; above the minimum, "auto" tries the default ones, and a
sector profile's ``candidate_models`` brings in the others it names (and leaves out the
ones it does not)."""


def register_model(name: str, factory: Callable[..., Forecaster]) -> None:
    """Make a model available by name (used by the machine-learning models and plugins)."""
    _EXTRA_FACTORIES[name] = factory


def register_global_candidate(name: str, min_series: int, by_default: bool = False) -> None:
    """Let "auto" try the registered global model ``name`` on panels of >= min_series
    (always when ``by_default``, else only where a sector profile names it)."""
    GLOBAL_AUTO[name] = (int(min_series), bool(by_default))


def global_candidates(n_series: int, restrict_to: Sequence[str] | None = None) -> list[str]:
    """The global models "auto" adds on a panel of ``n_series`` series."""
    known = set(available_models())
    return [
        name
        for name, (minimum, default) in sorted(GLOBAL_AUTO.items())
        if n_series >= minimum
        and name in known
        and (name in restrict_to if restrict_to is not None else default)
    ]


def available_models() -> list[str]:
    return sorted(CATALOGUE)


def check_model_names(names: Sequence[str]) -> None:
    """Raise :class:`OptionError` naming every name that is neither a model nor an alias,
    and the known ones: a request for a model that does not exist is refused when it is
    made, not after the data was read and half the series were fitted."""
    unknown = [n for n in names if canonical(n) not in CATALOGUE]
    if not unknown:
        return
    close = sorted(
        {c for n in unknown for c in difflib.get_close_matches(n, available_models(), n=3)}
    )
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    shown = ", ".join(repr(n[:100]) for n in unknown[:10])
    raise OptionError(
        f"unknown model{'s' if len(unknown) > 1 else ''} {shown}.{hint} "
        f"Known models: {', '.join(available_models())} (or 'auto')"
    )


def make_model(
    name: str, season_length: int = 1, freq: str | None = None, **params: object
) -> Forecaster:
    """Build the named model, passing only the arguments its constructor accepts."""
    entry = CATALOGUE.get(canonical(name))
    if entry is None:
        close = difflib.get_close_matches(name, available_models(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise OptionError(
            f"unknown model '{name}'.{hint} Available: {', '.join(available_models())}"
        )
    factory: Callable[..., Forecaster] = entry.build()
    accepted = inspect.signature(factory).parameters
    candidates = {"season_length": season_length, "freq": freq, **params}
    if "window_size" in accepted and "window_size" not in params:
        candidates["window_size"] = max(season_length, 3)
    kwargs = {k: v for k, v in candidates.items() if k in accepted}
    return factory(**kwargs)


def default_fallbacks(name: str, season_length: int = 1) -> list[str]:
    """The models tried, in order, when ``name`` fails on a series."""
    entry = CATALOGUE.get(canonical(name))
    chain = list(entry.fallbacks) if entry is not None else ["Naive"]
    if season_length <= 1:
        chain = [m for m in chain if m != "SeasonalNaive"]
    return [*chain, "HistoricAverage"]


def with_fallback(
    model: Forecaster | str, season_length: int = 1, freq: str | None = None, h: int | None = None
) -> FallbackChain:
    """Wrap a model (or a name) in its default fallback chain.

    With the forecast horizon ``h``, models built by name that learn steps from an origin
    (the direct strategy of the gradient-boosted models) learn that many steps, up to
    twice their default (:func:`~stockwise.features.spec.direct_steps`); a model given
    as an object is used as it is.
    """
    extra = {} if h is None else {"direct_horizon": direct_steps(h, freq)}
    primary = make_model(model, season_length, freq, **extra) if isinstance(model, str) else model
    names = [n for n in default_fallbacks(primary.name, season_length) if n != primary.name]
    chain = [primary, *(make_model(n, season_length, freq) for n in names)]
    return FallbackChain(chain, freq=freq)
