/**
 * Every live patch id of the workflows, in one place. A workflow that changed the commands it issues
 * asks `patched(ID)`: runs started before the change replay the old path, new runs take the new one.
 * No `patched('…')` literal lives anywhere else (test/replay/patches.test.ts checks it).
 *
 * Retiring a patch, in two deploys:
 * 1. Once no running workflow of that type started before the patch's deploy, replace
 *    `patched(ID)` with `deprecatePatch(ID)` and delete the old branch.
 * 2. Once no running workflow started before step 1's deploy, remove the `deprecatePatch` call and the
 *    id here.
 * "No running workflow started before": a campaign stays open until it is closed or its retention
 * passes (`retentionMs`, 7 days by default), so wait at least that long plus the age of the oldest
 * running campaign, then check with a visibility query (each run after a continue-as-new has its own
 * StartTime and takes the new path), e.g. for the campaign patch:
 *   temporal workflow list --query "WorkflowType = 'campaignWorkflow' AND ExecutionStatus = 'Running' AND StartTime < '2026-11-25T00:00:00Z'"
 * An empty list means step 1 is safe. Queries replay closed workflows too: a closed run still within
 * the namespace's retention that predates the patch would fail a query after step 1, so wait that out
 * as well when its records are still read.
 */

/**
 * Came 2026-11-24 (commit 273e7b0). Campaign: a handler that changes the book settles it itself
 * (grants, state, deadline timers) instead of waking the loop, so the commands a shard report causes
 * follow that report however reports are grouped into workflow tasks. Guards the grant signals and
 * timers issued from handlers; older runs settle from the loop. Deprecate once no `campaignWorkflow`
 * run started before 2026-11-25 is running.
 */
export const CAMPAIGN_SETTLES_IN_HANDLERS = 'campaign-settles-in-handlers';

/**
 * Came 2026-11-24 (commit 4556076). Shard: a grant no longer makes the shard report at once; its next
 * report comes on the usual cadence. Guards the report signal an older run sends right after each
 * grant. Deprecate once no `shardWorkflow` run started before 2026-11-25 is running (shards live as
 * long as their campaign, and each continue-as-new starts a run that takes the new path).
 */
export const GRANTS_REPORTED_ON_CADENCE = 'grants-reported-on-cadence';

/**
 * Came 2026-12-04. Shard: a job's PR is read a moment after the job ends, grouped with those of the jobs
 * ending meanwhile (one timer per group), instead of at once. Guards that timer; older runs read at
 * once. Deprecate once no `shardWorkflow` run started before 2026-12-05 is running.
 */
export const JOB_END_READS_GROUPED = 'job-end-reads-grouped';

/**
 * Came 2026-12-04. Shard: the spec's pullRequest block is applied apart from reads, twenty PRs at a
 * time, so sweeps do not wait behind GitHub's pacing of writes (about one a second). Guards the
 * decorate activities an older run schedules inside each read. Deprecate once no `shardWorkflow` run
 * started before 2026-12-05 is running.
 */
export const DECORATION_APART_FROM_READS = 'decoration-apart-from-reads';

/**
 * Came 2026-12-05. Shard: once no item runs, PR news (readings, deliveries, bulk-action outcomes)
 * reaches the campaign on the tracking cadence (`tracking.reportMs`, 30 s) instead of in a report per
 * loop pass; the report goes at once when the shard's last followed PR settles. Guards those report
 * signals and the cadence timer. Deprecate once no `shardWorkflow` run started before 2026-12-06 is
 * running.
 */
export const TRACKING_REPORTED_ON_CADENCE = 'tracking-reported-on-cadence';

/**
 * Came 2026-12-05. Shard: PRs are read 500 to an activity instead of 100 (the adapter still asks
 * GitHub 100 a query), so a sweep of a full shard is two activities, not ten. Guards the readChanges
 * activities an older run schedules. Deprecate once no `shardWorkflow` run started before 2026-12-06
 * is running.
 */
export const READS_IN_LARGER_BATCHES = 'reads-in-larger-batches';

/**
 * Came 2026-12-05. Shard: `campaign cancel` also cancels the fix turns under way and starts no more.
 * Guards the cancel requests to fix-turn jobs and the fix turns an older cancelled run still started.
 * Deprecate once no `shardWorkflow` run started before 2026-12-06 is running.
 */
export const FIX_TURNS_END_WITH_CANCEL = 'fix-turns-end-with-cancel';

/**
 * Came 2026-12-05. Campaign: with a budget and the campaign's fix loop, each grant carries how many fix
 * turns its shard may have sent (`fixTurnsUpTo`), so the budget covers fix turns too. Guards the grant
 * signals the caps add; older runs grant no cap (their shards send fix turns up to `maxFixTurns`).
 * Shards need no patch: a grant without the field leaves them as they were. Deprecate once no
 * `campaignWorkflow` run started before 2026-12-06 is running.
 */
export const FIX_TURNS_WITHIN_BUDGET = 'fix-turns-within-budget';
