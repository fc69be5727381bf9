"""Health: the Trainer-aware alerts (NaN, spikes, divergence, stalls, a lost process...).

:mod:`.alerts` is what an alert is, :mod:`.thresholds` the documented defaults, :mod:`.detectors` the
detectors over the logged series, :mod:`.liveness` those over time and the training process,
:mod:`.monitor` the incremental monitor that runs them over new entries only, :mod:`.command` the
``--on-alert`` command. No Textual here: the dashboard and ``--check`` share all of it.
"""
