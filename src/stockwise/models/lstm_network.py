"""The LSTM network and its training loop (PyTorch, CPU).

An encoder LSTM reads the ``look_back`` past periods (scaled sales + inputs); a decoder
LSTM starts from its state and reads the known-ahead inputs of the ``horizon`` future
periods, one step each, so a promotion on day 5 of the horizon acts on day 5's output.
Every step is predicted at once (direct multi-step: no forecast is fed back inside the
horizon, so errors do not compound). Each step has two heads:

* the mean, through softplus so it is never negative (the target is scaled sales, >= 0),
  trained with MSE or Poisson loss;
* a fan of quantiles built to be ordered: the median, then positive increments upwards and
  downwards, trained with the pinball loss. Ordered quantiles give nested bands.

Training is seeded and runs inside ``torch.random.fork_rng`` so it neither depends on nor
changes the caller's random state; early stopping keeps the weights of the epoch with the
best loss on the validation tail.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

log = logging.getLogger(__name__)
POINT_LOSSES = ("mse", "poisson")


class Seq2SeqLSTM(nn.Module):
    """Encoder-decoder LSTM with a mean head and an ordered quantile head per step."""

    quantiles: torch.Tensor  # a registered buffer, so it follows the module's device

    def __init__(
        self,
        n_past: int,
        n_future: int,
        hidden_size: int,
        num_layers: int,
        quantiles: tuple[float, ...],
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        inner_dropout = dropout if num_layers > 1 else 0.0
        self.encoder = nn.LSTM(
            n_past, hidden_size, num_layers=num_layers, batch_first=True, dropout=inner_dropout
        )
        self.decoder = nn.LSTM(
            max(n_future, 1),
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=inner_dropout,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, 1 + len(quantiles))
        self.register_buffer("quantiles", torch.tensor(quantiles, dtype=torch.float32))
        self.median_index = int(np.argmin(np.abs(np.asarray(quantiles) - 0.5)))

    def forward(
        self, past: torch.Tensor, future: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``past`` (B, look_back, n_past), ``future`` (B, h, n_future) ->
        mean (B, h) and ordered quantiles (B, h, Q), in scaled units."""
        _, state = self.encoder(past)
        if future.shape[-1] == 0:
            future = future.new_zeros((*future.shape[:2], 1))
        decoded, _ = self.decoder(future, state)
        raw = self.head(self.dropout(decoded))
        mean = F.softplus(raw[..., 0])
        return mean, self._ordered(raw[..., 1:])

    def _ordered(self, raw: torch.Tensor) -> torch.Tensor:
        m = self.median_index
        median = F.softplus(raw[..., m : m + 1])
        up = median + torch.cumsum(F.softplus(raw[..., m + 1 :]), dim=-1)
        down = median - torch.cumsum(F.softplus(raw[..., :m].flip(-1)), dim=-1)
        return torch.cat([down.flip(-1), median, up], dim=-1)


def pinball(quantiles: torch.Tensor, target: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    diff = target.unsqueeze(-1) - quantiles
    return torch.maximum(levels * diff, (levels - 1) * diff).mean()


def loss_fn(
    net: Seq2SeqLSTM,
    mean: torch.Tensor,
    quantiles: torch.Tensor,
    target: torch.Tensor,
    point_loss: str,
) -> torch.Tensor:
    if point_loss == "poisson":
        point = F.poisson_nll_loss(mean, target, log_input=False, eps=1e-6)
    else:
        point = F.mse_loss(mean, target)
    return point + pinball(quantiles, target, net.quantiles)


@dataclass
class Arrays:
    """Training or validation windows as float32 arrays."""

    past: np.ndarray
    future: np.ndarray
    target: np.ndarray

    def __len__(self) -> int:
        return int(self.past.shape[0])

    def tensors(self, index: np.ndarray | slice) -> tuple[torch.Tensor, ...]:
        return (
            torch.from_numpy(self.past[index]),
            torch.from_numpy(self.future[index]),
            torch.from_numpy(self.target[index]),
        )


@dataclass
class TrainingReport:
    """What training did: epochs run, the best one, losses, seconds."""

    epochs_run: int = 0
    best_epoch: int = 0
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    n_train: int = 0
    n_val: int = 0


@dataclass
class TrainingSettings:
    hidden_size: int
    num_layers: int
    dropout: float
    max_epochs: int
    batch_size: int
    learning_rate: float
    patience: int
    point_loss: str
    seed: int
    windows_per_epoch: int | None


def train(
    train_set: Arrays,
    val_set: Arrays | None,
    quantiles: tuple[float, ...],
    settings: TrainingSettings,
) -> tuple[Seq2SeqLSTM, TrainingReport]:
    """Build and train a network; returns it with the best validation weights loaded."""
    started = time.perf_counter()
    report = TrainingReport(n_train=len(train_set), n_val=len(val_set) if val_set else 0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        net = Seq2SeqLSTM(
            train_set.past.shape[-1],
            train_set.future.shape[-1],
            settings.hidden_size,
            settings.num_layers,
            quantiles,
            settings.dropout,
        )
        optimiser = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
        order = torch.Generator().manual_seed(settings.seed)
        best_loss, best_state, waited = math.inf, None, 0
        per_epoch = min(len(train_set), settings.windows_per_epoch or len(train_set))
        for epoch in range(1, settings.max_epochs + 1):
            net.train()
            chosen = torch.randperm(len(train_set), generator=order)[:per_epoch].numpy()
            total = 0.0
            for begin in range(0, per_epoch, settings.batch_size):
                past, future, target = train_set.tensors(
                    chosen[begin : begin + settings.batch_size]
                )
                mean, quant = net(past, future)
                loss = loss_fn(net, mean, quant, target, settings.point_loss)
                optimiser.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                optimiser.step()
                total += float(loss.detach()) * len(target)
            report.train_loss.append(total / max(per_epoch, 1))
            report.epochs_run = epoch
            if val_set is None or not len(val_set):
                continue
            current = evaluate(net, val_set, settings.point_loss, settings.batch_size)
            report.val_loss.append(current)
            log.info(
                "LSTM epoch %d: train loss %.4f, validation loss %.4f (%.1f s)",
                epoch,
                report.train_loss[-1],
                current,
                time.perf_counter() - started,
            )
            if current < best_loss - 1e-7:
                best_loss, waited, report.best_epoch = current, 0, epoch
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            else:
                waited += 1
                if waited >= settings.patience:
                    break
        if best_state is not None:
            net.load_state_dict(best_state)
        else:
            report.best_epoch = report.epochs_run
    net.eval()
    report.seconds = time.perf_counter() - started
    return net, report


@torch.no_grad()
def evaluate(net: Seq2SeqLSTM, data: Arrays, point_loss: str, batch_size: int) -> float:
    net.eval()
    total = 0.0
    for begin in range(0, len(data), batch_size * 4):
        past, future, target = data.tensors(slice(begin, begin + batch_size * 4))
        mean, quant = net(past, future)
        total += float(loss_fn(net, mean, quant, target, point_loss)) * len(target)
    return total / len(data)


@torch.no_grad()
def forward_numpy(
    net: Seq2SeqLSTM, past: np.ndarray, future: np.ndarray, batch_size: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (n, h) and quantiles (n, h, Q) for numpy inputs, in scaled units."""
    net.eval()
    means, quants = [], []
    for begin in range(0, past.shape[0], batch_size):
        mean, quant = net(
            torch.from_numpy(past[begin : begin + batch_size]),
            torch.from_numpy(future[begin : begin + batch_size]),
        )
        means.append(mean.numpy())
        quants.append(quant.numpy())
    return np.concatenate(means), np.concatenate(quants)
