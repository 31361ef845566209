#!/bin/sh
# Registers the namespace if it is missing. replica-fleet's search attributes are registered next by
# `replica-fleet setup` (the `setup` service), from the one list in src/contracts/search-attributes.ts.
set -eu
temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 30d
