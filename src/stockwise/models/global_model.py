"""Global forecasters: one regression model over many series, recursive or direct.

Training: each series' target goes through the target transforms, then every row gets
the features of its :class:`~stockwise.features.spec.FeatureSpec` — lags and rolling
statistics of the *past* (never of the row itself), calendar and holidays, and the
known-ahead drivers — and one regressor learns the next value from them across all series
(or one regressor per value of ``group_col``, e.g. per category).

Forecasting h periods: one step at a time, the features of the next period are computed
from a buffer holding each series' last values, the regressor predicts it, and the
prediction joins the buffer for the following step. With ``strategy="direct"`` (a
``FeatureSpec`` field, or the constructor's shortcut) one model learns all steps from
an origin instead and forecasts them in one prediction from the last observed period
(:mod:`stockwise.features.origin`). Drivers come from ``X_df`` (their future values,
which the business knows) and the calendar; nothing is read from the future target.
Forecasts are inverted back to units and never negative.

Intervals are split-conformal (:mod:`stockwise.models.conformal`): clones refit on
rolling origins of the training data give each series' signed errors for the horizon.
The errors are cached by horizon, so a saved model keeps the few numbers it needs and
not the training data.

Subclasses only say how to train, apply, save and load their regressor
(:mod:`stockwise.models.boosting`, :mod:`stockwise.models.sklearn_model`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.errors import InputError, OptionError
from stockwise.features.calendar import calendar_features
from stockwise.features.drivers import (
    NOT_DRIVERS,
    driver_features,
    encode_drivers,
    learn_vocabularies,
)
from stockwise.features.lags import history_features, series_starts, step_features
from stockwise.features.origin import direct_training_columns, origin_columns
from stockwise.features.spec import FeatureSpec, assign_roles, default_spec
from stockwise.features.transforms import TargetTransforms
from stockwise.models.base import Forecaster, NotFittedError, future_dates
from stockwise.models.conformal import (
    add_conformal_intervals,
    conformal_scores,
    random_walk_sigma,
)
from stockwise.models.global_model_files import read_state, write_state
from stockwise.models.known_inputs import future_driver_features, with_exog

COUNT_OBJECTIVES = ("tweedie", "poisson")
INTERMITTENT_ZERO_SHARE = 0.3
"""With at least this share of zero periods, "auto" picks a Tweedie objective."""
DEFAULT_SEASON = calendar_facts.SEASON
MIN_TRAINING_ROWS = 10
ALL = "_all"


@dataclass(eq=False, repr=False, kw_only=True)
class GlobalModel(Forecaster):
    """Base of the global regression forecasters (see the module docstring)."""

    is_global = True
    supports_exog = True
    native_intervals = True
    handles_missing: ClassVar[bool] = True
    """False for regressors that reject NaN: missing features are then set to 0."""
    estimator_suffix: ClassVar[str] = ".bin"
    direct_by_default: ClassVar[bool] = False
    """True where ``strategy="auto"`` means direct for a squared-error objective on daily
    data (the gradient-boosted models; docs/decisions/0005-direct-strategy-for-daily-gbms.md).
    """

    # The parameters every global model takes, declared once: each subclass is a
    # dataclass too and adds its own, so its generated constructor stores them all, and
    # ``get_params`` / ``clone`` (and scikit-learn's) read them back from its signature.
    season_length: int | None = None
    features: FeatureSpec | dict | None = None
    exog: tuple[str, ...] | list[str] | None = None
    country: str | None = None
    target_transform: str | tuple[str, ...] | list[str] | None = "auto"
    group_col: str | None = None
    conformal_windows: int = 2
    train_window: int | None = None
    strategy: str = "auto"
    alias: str | None = None
    freq: str | None = None

    @property
    def conformal_refits(self) -> int:
        """Its bands come from ``conformal_windows`` refits a horizon apart, as for a model
        without native bands (they are only computed inside ``predict``): saying so lets
        a backtest fit it once per cutoff and the final forecast take its bands from the
        backtest's last windows, instead of refitting in every window."""
        return int(self.conformal_windows)

    # -- for subclasses ---------------------------------------------------------------------
    def _objective(self, y: np.ndarray) -> str:
        return "regression"

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def _apply(self, estimator: Any, X: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - abstract

    def _save_estimator(self, estimator: Any, file: Path) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _load_estimator(self, file: Path) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    # -- fit ------------------------------------------------------------------------------
    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        frame = with_exog(df, X_df)
        self.train_ = frame  # with the drivers: conformal refits need them
        y = frame[S.Y].to_numpy(dtype=float)
        self.objective_ = self._objective(y)
        self.spec_ = self._resolve_spec(frame)
        for col in self.spec_.drivers:
            if col not in frame.columns:
                raise InputError(
                    f"{self.name}: known-ahead input '{col}' is not in the "
                    "training data (add it to df or X_df)",
                    column=col,
                )
        self.transform_names_ = self._resolve_transforms(y)
        if self.objective_ in COUNT_OBJECTIVES and (y < 0).any():
            raise ValueError(f"{self.name}: objective {self.objective_} needs y >= 0")
        self.ids_ = list(pd.unique(frame[S.UNIQUE_ID]))
        codes = pd.Categorical(frame[S.UNIQUE_ID], categories=self.ids_).codes.astype(np.int64)
        starts = series_starts(codes)
        self.vocab_ = learn_vocabularies(frame, self.spec_.drivers)
        self.transforms_ = TargetTransforms(self.transform_names_)
        z = self.transforms_.fit_transform(y, codes, starts, len(self.ids_))
        columns = self._columns(frame, z, starts)
        if self.spec_.direct:  # rows (origin, step); `at` = the panel row of the target
            columns, at = direct_training_columns(columns, z, starts, self.spec_)
            keep = np.isfinite(z[at])
        else:
            at = np.arange(len(z))
            keep = np.isfinite(z) & (at > starts)
        matrix, target = self._frame(columns), z[at]
        del columns
        if self.train_window:  # learn from the recent past only (features still see older)
            from_end = frame.groupby(S.UNIQUE_ID, sort=False).cumcount(ascending=False)
            keep &= from_end.to_numpy()[at] < self.train_window
        self.groups_ = self._group_of_series(frame)
        row_group = frame[S.UNIQUE_ID].map(self.groups_).to_numpy()[at]
        self.estimators_: dict[str, Any] = {}
        for group in sorted(set(self.groups_.values())):
            rows = keep & (row_group == group)
            if rows.sum() < MIN_TRAINING_ROWS:
                for uid in (u for u, g in self.groups_.items() if g == group):
                    self.failures_[uid] = (
                        f"too little history for {self.name} "
                        f"({int(rows.sum())} training rows in its group)"
                    )
                continue
            self.estimators_[group] = self._train(matrix[rows], target[rows])
        self._keep_recursion_state(frame, z, codes)

    def _resolve_spec(self, frame: pd.DataFrame) -> FeatureSpec:
        freq = self.freq_
        season = self.season_length or DEFAULT_SEASON.get(freq, 1)
        if isinstance(self.features, FeatureSpec):
            spec = self.features
        elif isinstance(self.features, dict):
            spec = FeatureSpec.from_dict(self.features)
        else:
            spec = default_spec(
                freq,
                season,
                country=self.country,
                intermittent=self.objective_ in COUNT_OBJECTIVES,
                strategy=self._strategy(),
            )
            steps = getattr(self, "direct_horizon", None)
            if spec.direct and steps is not None:
                spec = replace(spec, direct_horizon=int(steps))
        if self._strategy() != spec.strategy:
            raise OptionError(
                f"{self.name}: strategy={self.strategy!r} but the feature "
                f"spec given says strategy={spec.strategy!r}"
            )
        if self.country and not spec.country:
            spec = replace(spec, country=self.country)
        if spec.drivers and self.exog is None:
            return spec
        if self.exog is None:
            exog = [c for c in frame.columns if c not in NOT_DRIVERS and c != self.group_col]
        else:
            exog = list(self.exog)
        price, promo, events = assign_roles(exog)
        return replace(spec, price=price, promo=promo, events=events)

    def _strategy(self) -> str:
        """``strategy`` resolved: "auto" = the spec's if one is given, else direct for a
        squared-error objective on daily data where the model class says so
        (``direct_by_default``), else recursive.

        Why: with squared error on daily data the recursion compounds its own errors over
        the horizon, which the direct strategy avoids; on intermittent counts it gains
        nothing, so the count objectives keep the recursive spec reading features from 28
        days back (docs/decisions/0005-direct-strategy-for-daily-gbms.md).
        """
        chosen = getattr(self, "strategy", "auto")
        if chosen not in ("auto", "recursive", "direct"):
            raise OptionError(
                f"{self.name}: strategy must be 'auto', 'recursive' or 'direct', not {chosen!r}"
            )
        if chosen != "auto":
            return chosen
        given = self.features
        if isinstance(given, FeatureSpec):
            return given.strategy
        if isinstance(given, dict):
            return str(given.get("strategy", "recursive"))
        if self.direct_by_default and self.freq_ == "D" and self.objective_ not in COUNT_OBJECTIVES:
            return "direct"
        return "recursive"

    def _resolve_transforms(self, y: np.ndarray) -> tuple[str, ...]:
        chosen = self.target_transform
        if chosen is None or chosen == "none":
            return ()
        if isinstance(chosen, str) and chosen != "auto":
            return tuple(p for p in chosen.split("+") if p)
        if isinstance(chosen, tuple | list):
            return tuple(chosen)
        if self.spec_.target_transforms:
            return self.spec_.target_transforms
        if self.objective_ in COUNT_OBJECTIVES:
            return ("scale",)  # keeps counts non-negative; puts series on one scale
        return ("log1p",) if (y >= 0).all() else ("scale",)

    def _group_of_series(self, frame: pd.DataFrame) -> dict[str, str]:
        if not self.group_col:
            return dict.fromkeys(self.ids_, ALL)
        if self.group_col not in frame.columns:
            raise InputError(
                f"{self.name}: group_col '{self.group_col}' is not a column of the training data",
                column=self.group_col,
            )
        first = frame.groupby(S.UNIQUE_ID, sort=False)[self.group_col].first()
        return {uid: str(first[uid]) for uid in self.ids_}

    def _columns(
        self, frame: pd.DataFrame, z: np.ndarray, starts: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Every panel row's features (past target, calendar, drivers)."""
        columns = history_features(z, starts, self.spec_)
        columns.update(calendar_features(frame[S.DS], self.spec_))
        if self.spec_.drivers:
            encoded = encode_drivers(frame, self.spec_.drivers, self.vocab_)
            columns.update(driver_features(encoded, starts, self.spec_))
        return columns

    def _frame(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        matrix = pd.DataFrame({name: columns[name] for name in self.spec_.feature_names()})
        return matrix if self.handles_missing else matrix.fillna(0.0)

    def _keep_recursion_state(self, frame: pd.DataFrame, z: np.ndarray, codes: np.ndarray) -> None:
        """What the recursion needs: last L transformed values, level, driver tail."""
        length = self.spec_.history_length
        n = len(self.ids_)
        buffer = np.full((n, length), np.nan)
        position = frame.groupby(S.UNIQUE_ID, sort=False).cumcount(ascending=False).to_numpy()
        recent = position < length
        buffer[codes[recent], length - 1 - position[recent]] = z[recent]
        finite = np.isfinite(z)
        self.buffer_ = buffer
        self.expanding_sum_ = np.bincount(codes, np.where(finite, z, 0.0), n)
        self.expanding_count_ = np.bincount(codes, finite.astype(float), n)
        self.last_ds_ = frame.groupby(S.UNIQUE_ID, sort=False)[S.DS].max().reindex(self.ids_)
        self.spread_ = random_walk_sigma(frame)
        tail = position < self.spec_.driver_history
        self.driver_tail_ = frame.loc[tail, [S.UNIQUE_ID, S.DS, *self.spec_.drivers]].reset_index(
            drop=True
        )
        self.conformal_: dict[int, tuple[dict[str, np.ndarray], dict[str, float]]] = {}

    # -- predict ------------------------------------------------------------------------
    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        point = self._recursive(h, X_df)
        if not levels:
            return point
        if h not in self.conformal_:
            if not hasattr(self, "train_"):
                raise NotFittedError(
                    f"{self.name} was loaded without training data and has no interval "
                    f"errors for h={h} (saved for h={sorted(self.conformal_)}); predict with "
                    "levels at that horizon before saving, or refit"
                )
            self.conformal_[h] = conformal_scores(self, h, self.conformal_windows)
        return add_conformal_intervals(
            self, point, h, levels, X_df, scores=self.conformal_[h], spread=self.spread_
        )

    def _recursive(self, h: int, X_df: pd.DataFrame | None) -> pd.DataFrame:
        rows = np.array(
            [
                i
                for i, uid in enumerate(self.ids_)
                if self.groups_[uid] in self.estimators_ and uid not in self.failures_
            ],
            dtype=np.int64,
        )
        ids = [self.ids_[i] for i in rows]
        future = future_dates(
            self.last_ds_.iloc[rows], h, self.freq_, pd.Series(self.last_ds_.to_numpy())
        )
        known = calendar_features(future[S.DS], self.spec_)
        if self.spec_.drivers:
            known.update(self._future_drivers(future, X_df, h))
        known = {k: np.asarray(v, dtype=float).reshape(len(rows), h) for k, v in known.items()}
        z = np.zeros((len(rows), h))
        groups = np.array([self.groups_[uid] for uid in ids])
        for group, estimator in self.estimators_.items():
            sel = np.flatnonzero(groups == group)
            if sel.size:
                forecast = self._direct if self.spec_.direct else self._recurse
                z[sel] = forecast(estimator, rows[sel], {k: v[sel] for k, v in known.items()}, h)
        values = self.transforms_.inverse(z, rows)
        future[self.name] = values.reshape(-1)
        return future

    def _recurse(
        self, estimator: Any, rows: np.ndarray, known: dict[str, np.ndarray], h: int
    ) -> np.ndarray:
        buffer = self.buffer_[rows].copy()
        total = self.expanding_sum_[rows].copy()
        count = self.expanding_count_[rows].copy()
        out = np.zeros((len(rows), h))
        for step in range(h):
            columns = step_features(buffer, total, count, self.spec_)
            columns.update({k: v[:, step] for k, v in known.items()})
            pred = np.asarray(self._apply(estimator, self._frame(columns)), dtype=float)
            out[:, step] = pred
            buffer = np.concatenate([buffer[:, 1:], pred[:, None]], axis=1)
            total += pred
            count += 1
        return out

    def _direct(
        self, estimator: Any, rows: np.ndarray, known: dict[str, np.ndarray], h: int
    ) -> np.ndarray:
        """All h steps from one origin (the last observed period) in one prediction."""
        columns = origin_columns(
            self.buffer_[rows],
            self.expanding_sum_[rows],
            self.expanding_count_[rows],
            self.spec_,
            h,
        )
        columns.update(known)
        pred = self._apply(
            estimator, self._frame({k: np.asarray(v).reshape(-1) for k, v in columns.items()})
        )
        return np.asarray(pred, dtype=float).reshape(len(rows), h)

    def _future_drivers(
        self, future: pd.DataFrame, X_df: pd.DataFrame | None, h: int
    ) -> dict[str, np.ndarray]:
        return future_driver_features(
            future, X_df, self.driver_tail_, self.spec_, self.vocab_, self.name, h
        )

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Estimators in their own safe format, the spec and state as JSON and Parquet.

        Saved: the feature spec, vocabularies, each series' last L transformed values,
        level, transform state, spread, the last few driver rows, and cached interval
        errors; not saved: the training frame (it is not needed to forecast).
        """
        write_state(self, path)

    @classmethod
    def load(cls, path: Path) -> GlobalModel:
        from stockwise.models.persistence import read_manifest

        model = cls(**cls._params_from_manifest(read_manifest(path)["params"], path))
        read_state(model, path)
        return model

    @classmethod
    def _params_from_manifest(cls, params: dict[str, Any], path: Path) -> dict[str, Any]:
        return params
