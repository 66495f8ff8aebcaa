"""LSTMForecaster: one recurrent network across all series, direct multi-step, on CPU.

Why a global network: most retail series are short and noisy; one set of weights learnt
from every series (on per-series scaled sales, see :mod:`stockwise.models.lstm_inputs`)
borrows strength across them, as the gradient-boosted models do.

How it is trained: the foundation's :func:`stockwise.data.windows.make_lstm_windows` cuts
each series into windows of ``look_back`` past periods followed by ``horizon`` target
periods, with the known-ahead inputs (price, promotion, events, calendar) over both. The
last ``horizon`` periods of every series are held out as the validation tail for early
stopping; windows never cross from one series into the next. When the series give more
windows than ``max_windows``, consecutive windows are thinned by a stride (neighbouring
windows share all but one period, so little is lost and the time stays bounded).

How it forecasts: from each series' last ``look_back`` periods and the known-ahead inputs
of the next ``h`` (``X_df``), the network returns ``horizon`` steps at once: the mean
(point forecast) and a fan of quantiles (native, nested intervals). ``h`` beyond
``horizon`` is reached block by block, feeding the mean back as history.

Series with fewer than ``look_back`` periods are reported in ``failures_`` (a fallback
chain serves them); series shorter than ``look_back + horizon`` are still forecast, they
just give no training window.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.windows import make_lstm_windows
from stockwise.errors import InputError
from stockwise.models.base import Forecaster, future_dates
from stockwise.models.lstm_bands import INTERVAL_GRID as INTERVAL_GRID
from stockwise.models.lstm_bands import QUANTILES as QUANTILES
from stockwise.models.lstm_bands import _quantile_at as _quantile_at
from stockwise.models.lstm_bands import band_shifts as band_shifts
from stockwise.models.lstm_inputs import SCALED, InputScaling, detect_exog
from stockwise.optional import optional_import

if TYPE_CHECKING:
    from stockwise.models.lstm_network import Arrays

DEFAULT_HORIZON = {"D": 28, "W": 13, "M": 12}
"""Steps the network outputs at once when ``horizon`` is not given, per frequency."""


class LSTMForecaster(Forecaster):
    """Global encoder-decoder LSTM with known-ahead inputs and quantile intervals.

    Parameters
    ----------
    look_back:
        Past periods the network reads (the seed project's 30).
    horizon:
        Periods predicted at once; ``None``: 28 days, 13 weeks or 12 months.
    hidden_size, num_layers, dropout:
        Size of the encoder and decoder LSTMs.
    max_epochs, patience, batch_size, learning_rate:
        Adam training with early stopping after ``patience`` epochs without improvement
        on the validation tail.
    max_windows:
        Cap on training windows (a stride thins them beyond it).
    windows_per_epoch:
        Windows drawn afresh (without replacement) for each epoch, so an epoch costs the
        same on 100 series as on 10,000; ``None``: all of them every epoch.
    point_loss:
        ``"mse"`` or ``"poisson"`` for the mean head (on scaled sales).
    exog:
        Known-ahead input columns of the training frame; ``None``: every numeric column
        other than the key, ``y`` and stockwise's bookkeeping columns; ``()``: none.
    conformal:
        Widen each band by how much it missed on the validation tail (conformalised
        quantile regression), so the 80 % band holds at least about 80 % of those points.
        Bands are only ever widened: one validation window per series, which also chose
        the epoch, flatters the model, so narrowing on it leaves the test coverage below
        nominal (docs/benchmarks/lstm_and_gbm.md).
    calendar:
        Add the day-of-week (daily) or week/month-of-year (weekly, monthly) cycle.
    trim_leading_zeros:
        Train only from each series' first sale on (zeros before a launch are not demand).
    seed:
        Seeds weights and window order: the same seed gives the same forecasts on CPU.
    n_threads:
        Torch threads while fitting and predicting (``None``: leave torch's setting). One
        thread is the fastest on a busy machine (the network is small) and the same seed
        then gives the same forecasts on any machine (docs/benchmarks/lstm_and_gbm.md).
    """

    is_global = True
    supports_exog = True
    native_intervals = True

    def __init__(
        self,
        look_back: int = 30,
        horizon: int | None = None,
        hidden_size: int = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
        max_epochs: int = 25,
        patience: int = 3,
        batch_size: int = 256,
        learning_rate: float = 3e-3,
        max_windows: int = 100_000,
        windows_per_epoch: int | None = 20_000,
        point_loss: str = "mse",
        exog: Sequence[str] | None = None,
        conformal: bool = True,
        calendar: bool = True,
        trim_leading_zeros: bool = True,
        seed: int = 0,
        n_threads: int | None = None,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.look_back = look_back
        self.horizon = horizon
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.patience = patience
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_windows = max_windows
        self.windows_per_epoch = windows_per_epoch
        self.point_loss = point_loss
        self.exog = exog
        self.conformal = conformal
        self.calendar = calendar
        self.trim_leading_zeros = trim_leading_zeros
        self.seed = seed
        self.n_threads = n_threads
        self.alias = alias
        self.freq = freq

    @property
    def name(self) -> str:
        return self.alias or "LSTM"

    @property
    def min_history(self) -> int:  # type: ignore[override]
        """A forecast needs one full input window."""
        return int(self.look_back)

    # -- fit --------------------------------------------------------------------------------
    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        optional_import("torch", "The LSTM")  # named extra, not a bare import error
        from stockwise.models import lstm_network as net

        self._check_params()
        frame = _with_fit_inputs(df, X_df)
        self.exog_ = detect_exog(frame, self.exog)
        self.horizon_ = int(self.horizon or DEFAULT_HORIZON.get(self.freq_, 12))
        self.scaling_ = InputScaling.fit(frame, self.exog_, self.freq_, self.calendar)
        self.channels_ = self.scaling_.future_channels()
        inputs = self.scaling_.transform(frame)
        self.tail_ = (
            frame.groupby(S.UNIQUE_ID, sort=True)
            .tail(self.look_back)[[S.UNIQUE_ID, S.DS, S.Y, *self.exog_]]
            .reset_index(drop=True)
        )
        val_set: Arrays | None  # none when the validation tail is all there is to train on
        train_set, val_set = self._training_windows(frame, inputs)
        if not len(train_set) and not len(val_set):
            span = self.look_back + self.horizon_
            for uid in frame[S.UNIQUE_ID].unique():
                self.failures_[str(uid)] = (
                    f"no series has the {span} observations (look_back {self.look_back} + "
                    f"horizon {self.horizon_}) one training window needs"
                )
            return
        if not len(train_set):  # only the validation tail exists: train on it, no stopping
            train_set, val_set = val_set, None
        settings = net.TrainingSettings(
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            patience=self.patience,
            point_loss=self.point_loss,
            seed=self.seed,
            windows_per_epoch=self.windows_per_epoch,
        )
        with _torch_threads(self.n_threads):
            self.network_, self.training_ = net.train(train_set, val_set, QUANTILES, settings)
            self.band_shift_ = (
                band_shifts(self.network_, val_set)
                if self.conformal and val_set is not None and len(val_set)
                else dict.fromkeys(INTERVAL_GRID, 0.0)
            )

    def _check_params(self) -> None:
        for key in (
            "look_back",
            "hidden_size",
            "num_layers",
            "max_epochs",
            "batch_size",
            "max_windows",
            "patience",
        ):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"LSTM: {key} must be a whole number >= 1, got {value!r}")
        if self.horizon is not None and int(self.horizon) < 1:
            raise ValueError(f"LSTM: horizon must be >= 1 or None, got {self.horizon!r}")
        if self.point_loss not in ("mse", "poisson"):
            raise ValueError(
                f"LSTM: point_loss must be 'mse' or 'poisson', not {self.point_loss!r}"
            )

    def _training_windows(self, frame: pd.DataFrame, inputs: pd.DataFrame) -> tuple[Arrays, Arrays]:
        """Windows whose targets end before the validation tail, and the tail's windows."""
        from stockwise.models.lstm_network import Arrays

        lb, h = self.look_back, self.horizon_
        from_end = inputs.groupby(S.UNIQUE_ID, sort=False).cumcount(ascending=False)
        train_rows = inputs[(from_end >= h).to_numpy()]
        if self.trim_leading_zeros:
            sold = frame[S.Y].gt(0).groupby(frame[S.UNIQUE_ID], sort=False).cummax()
            train_rows = train_rows[sold[train_rows.index].to_numpy()]
        lengths = train_rows.groupby(S.UNIQUE_ID, sort=False).size().to_numpy()
        possible = int(np.clip(lengths - lb - h + 1, 0, None).sum())
        stride = max(1, math.ceil(possible / self.max_windows))
        val_rows = inputs[(from_end < lb + h).to_numpy()]
        sets = []
        for rows, step in ((train_rows, stride), (val_rows, 1)):
            w = make_lstm_windows(
                rows,
                look_back=lb,
                horizon=h,
                target=SCALED,
                features=self.channels_,
                future_features=self.channels_,
                scale=None,
                stride=step,
            )
            assert w.X_future is not None  # future_features were given
            sets.append(Arrays(w.X, w.X_future, w.y))
        return sets[0], sets[1]

    # -- predict ----------------------------------------------------------------------------
    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        from stockwise.models.lstm_network import forward_numpy

        ids = list(self.fitted_ids_)
        tail = self.tail_[self.tail_[S.UNIQUE_ID].isin(ids)]
        last = tail.groupby(S.UNIQUE_ID, sort=True)[S.DS].max()
        future = future_dates(last, h, self.freq_, tail[S.DS])
        future = self._future_inputs(future, X_df, h)
        n = len(last)
        width = len(self.channels_)
        past_frame = self.scaling_.transform(tail)
        past = (
            past_frame[[SCALED, *self.channels_]]
            .to_numpy(np.float32)
            .reshape(n, self.look_back, width + 1)
        )
        ahead = (
            self.scaling_.transform(future)[self.channels_]
            .to_numpy(np.float32)
            .reshape(n, h, width)
        )
        means, quantiles = [], []
        with _torch_threads(self.n_threads):
            for begin in range(0, h, self.horizon_):
                block = ahead[:, begin : begin + self.horizon_]
                mean, quant = forward_numpy(self.network_, past, np.ascontiguousarray(block))
                means.append(mean)
                quantiles.append(quant)
                fed_back = np.concatenate([mean[..., None], block], axis=-1)
                past = np.ascontiguousarray(
                    np.concatenate([past, fed_back], axis=1)[:, -self.look_back :]
                )
        scale = self.scaling_.series.loc[last.index, "y_scale"].to_numpy()[:, None]
        mean = np.concatenate(means, axis=1) * scale
        quant = np.concatenate(quantiles, axis=1) * scale[..., None]
        out = future[[S.UNIQUE_ID, S.DS]].copy()
        out[self.name] = mean.reshape(-1)
        grid = sorted(self.band_shift_)
        for level in levels:
            shift = np.interp(level, grid, [self.band_shift_[g] for g in grid]) * scale
            for side, sign in (("lo", -1), ("hi", 1)):
                band = _quantile_at(quant, 0.5 + sign * level / 200) + sign * shift
                out[f"{self.name}-{side}-{level}"] = band.reshape(-1)
        return out

    def _future_inputs(
        self, future: pd.DataFrame, X_df: pd.DataFrame | None, h: int
    ) -> pd.DataFrame:
        """The future dates with the known-ahead inputs from ``X_df``.

        Every forecast period needs its row in ``X_df``; a missing value inside a row is
        read as the series' usual level, as in training.
        """
        if not self.exog_:
            return future
        if X_df is None:
            raise InputError(
                f"{self.name} was fitted with known-ahead inputs {self.exog_}: predict needs "
                f"X_df with unique_id, ds and these columns for the {h} periods after each "
                "series' last date",
                column=self.exog_[0],
            )
        absent = [c for c in (S.UNIQUE_ID, S.DS, *self.exog_) if c not in X_df.columns]
        if absent:
            raise InputError(
                f"X_df has no column {absent[0]!r}; {self.name} needs it for every forecast period",
                column=absent[0],
            )
        given = X_df[[S.UNIQUE_ID, S.DS, *self.exog_]].copy()
        given[S.UNIQUE_ID] = given[S.UNIQUE_ID].astype(str)
        given[S.DS] = pd.to_datetime(given[S.DS])
        given = given.drop_duplicates([S.UNIQUE_ID, S.DS], keep="last")
        merged = future.merge(given, on=[S.UNIQUE_ID, S.DS], how="left", indicator=True)
        absent_rows = merged["_merge"].eq("left_only")
        if absent_rows.any():
            first = merged[absent_rows].iloc[0]
            names = ", ".join(f"'{c}'" for c in self.exog_)
            raise InputError(
                f"X_df has no row for series {first[S.UNIQUE_ID]!r} on "
                f"{first[S.DS]:%Y-%m-%d} ({int(absent_rows.sum())} of the {len(merged)} "
                f"forecast periods lack one); {self.name} needs {names} for every forecast "
                "period",
                column=self.exog_[0],
            )
        return merged.drop(columns="_merge")

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to a directory (manifest, safetensors, Parquet)."""
        from stockwise.models.lstm_io import save_lstm

        return save_lstm(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> LSTMForecaster:
        """Read a directory written by :meth:`save`; predicts exactly as before."""
        from stockwise.models.lstm_io import load_lstm

        return load_lstm(cls, Path(path))


def _with_fit_inputs(df: pd.DataFrame, X_df: pd.DataFrame | None) -> pd.DataFrame:
    """Columns of ``X_df`` given to ``fit`` join the training rows (the frame wins)."""
    if X_df is None:
        return df
    extra = [c for c in X_df.columns if c not in df.columns]
    if not extra:
        return df
    given = X_df[[S.UNIQUE_ID, S.DS, *extra]].copy()
    given[S.UNIQUE_ID] = given[S.UNIQUE_ID].astype(str)
    given[S.DS] = pd.to_datetime(given[S.DS])
    merged = df.merge(
        given.drop_duplicates([S.UNIQUE_ID, S.DS], keep="last"), on=[S.UNIQUE_ID, S.DS], how="left"
    )
    merged.index = df.index
    return merged


@contextlib.contextmanager
def _torch_threads(n_threads: int | None) -> Iterator[None]:
    torch = optional_import("torch", "The LSTM")

    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)
