#!/bin/sh
# Registers the namespace and replica-fleet's Keyword search attributes; existing ones are kept.
set -eu
temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 30d
for attribute in CampaignId ReplicaId JobState Repository; do
  temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
    --name "$attribute" --type Keyword 2>/dev/null || true
done
temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE"
