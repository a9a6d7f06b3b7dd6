import { useEffect, useState } from 'react';
import { api, errorText, must, type Schemas } from '../api/client';
import { Loading, Page, Problem } from '../components';
import { countOf, formatDuration, formatTime } from '../format';
import { Link } from '../router';
import { useLoad } from '../use-load';

export const FINISHED = ['sent', 'failed', 'unconfirmed'];

/** One export: counts, timings, attempts, the error, the download link while it is valid. */
export function ExportPage(props: { id: number }) {
  const run = useLoad(
    () => must(api.GET('/exports/{id}', { params: { path: { id: props.id } } })),
    [props.id],
  );
  useRefreshUntilFinished(run.data, run.reload);
  return (
    <Page title={`Export #${props.id}`}>
      <Loading what={run}>{(data) => <RunFacts run={data} />}</Loading>
    </Page>
  );
}

/**
 * Reloads while any of `runs` is unfinished: a second after a running one, at the next try of a
 * waiting one (a retry may be minutes away), a minute apart at most.
 */
export function useRefreshUntilFinished(
  runs: Schemas['ExportRunView'] | Array<Schemas['ExportRunView'] | null> | undefined,
  reload: () => void,
): void {
  const list = Array.isArray(runs) ? runs : [runs];
  const delays = list.flatMap((run) => {
    if (!run || FINISHED.includes(run.status)) return [];
    const wait = run.timings.nextAttemptAt ? Date.parse(run.timings.nextAttemptAt) - Date.now() : 0;
    return [Math.min(Math.max(wait, 1_000), 60_000)];
  });
  const delay = delays.length === 0 ? null : Math.min(...delays);
  useEffect(() => {
    if (delay === null) return;
    const timer = setTimeout(reload, delay);
    return () => clearTimeout(timer);
  });
}

export function RunFacts(props: { run: Schemas['ExportRunView'] }) {
  const { run } = props;
  const linkValid = run.delivery === 'link' && run.linkExpiresAt && new Date(run.linkExpiresAt) > new Date();
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd className={`status-${run.status}`}>{run.status}</dd>
      <dt>Customer</dt>
      <dd>
        <Link to={`/console/customers/${encodeURIComponent(run.customer)}`}>{run.customer}</Link>
      </dd>
      <dt>Recipient</dt>
      <dd>{run.recipient}</dd>
      <dt>Source</dt>
      <dd>
        {run.source}
        {run.scheduleId !== null && ` (schedule ${run.scheduleId})`}
      </dd>
      <dt>Range</dt>
      <dd>
        {run.since ? formatTime(run.since, run.timeZone) : 'all activity'} –{' '}
        {run.until ? formatTime(run.until, run.timeZone) : 'now'} ({run.timeZone})
      </dd>
      <dt>Counts</dt>
      <dd>{run.counts ? describeCounts(run.counts) : '—'}</dd>
      <dt>Queued</dt>
      <dd>{formatTime(run.timings.queuedAt)}</dd>
      <dt>Started</dt>
      <dd>{formatTime(run.timings.startedAt)}</dd>
      <dt>Finished</dt>
      <dd>{formatTime(run.timings.finishedAt)}</dd>
      <dt>Duration</dt>
      <dd>{formatDuration(run.timings.durationMs)}</dd>
      {run.timings.nextAttemptAt && (
        <>
          <dt>Next attempt</dt>
          <dd>{formatTime(run.timings.nextAttemptAt)}</dd>
        </>
      )}
      <dt>Attempts</dt>
      <dd>{run.attempts}</dd>
      <dt>Delivery</dt>
      <dd>
        {run.delivery === 'link'
          ? linkValid
            ? `a download link in the email, valid until ${formatTime(run.linkExpiresAt)}`
            : `a download link in the email, expired ${formatTime(run.linkExpiresAt)}`
          : (run.delivery ?? '—')}
        {linkValid && <WorkbookDownload id={run.id} until={run.linkExpiresAt} />}
      </dd>
      {(run.errorCode || run.error) && (
        <>
          <dt>Error</dt>
          <dd className="problem">
            {run.errorCode && <code>{run.errorCode}</code>} {run.error}
          </dd>
        </>
      )}
    </dl>
  );
}

/**
 * The workbook the export kept, fetched with the session's bearer token (never
 * put in a URL) and saved through a blob: URL, as the email's link would.
 */
function WorkbookDownload(props: { id: number; until: string | null }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setProblem(null);
    try {
      const pending = api.GET('/exports/{id}/workbook.xlsx', {
        params: { path: { id: props.id } },
        parseAs: 'blob',
      });
      const { response } = await pending;
      saveBlob(await must(pending), fileNameOf(response) ?? `export-${props.id}.xlsx`);
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      {' '}
      <button type="button" onClick={() => void download()} disabled={busy}>
        Download workbook (valid until {formatTime(props.until)})
      </button>
      <Problem message={problem} />
    </>
  );
}

/** The file name Content-Disposition gives, when it gives a plain one. */
function fileNameOf(response: Response): string | null {
  const header = response.headers.get('Content-Disposition') ?? '';
  return /filename="([^"/\\]+)"/.exec(header)?.[1] ?? null;
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The click has handed the blob to the browser's download; let it finish reading first.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "280 active, 20 inactive accounts"; the active ones alone when the inactive ones were not counted. */
function describeCounts(counts: Schemas['RunCounts']): string {
  if (counts.inactive === null) return countOf(counts.active, 'active account');
  return `${counts.active} active, ${countOf(counts.inactive, 'inactive account')}`;
}
