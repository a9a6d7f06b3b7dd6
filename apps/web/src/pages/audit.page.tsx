import { useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { Field, Loading, Page, Pager, Table, useCursors } from '../components';
import { formatTime } from '../format';
import { useLoad } from '../use-load';

/** The audit trail (staff tokens only), filtered by action and by the token that asked. */
export function AuditPage() {
  const [filter, setFilter] = useState({ action: '', tokenId: '' });
  const [draft, setDraft] = useState(filter);
  const { cursor, restart, pager } = useCursors();
  const page = useLoad(
    () =>
      must(
        api.GET('/audit', {
          params: {
            query: {
              action: filter.action || undefined,
              tokenId: filter.tokenId ? Number(filter.tokenId) : undefined,
              cursor,
              limit: 50,
            },
          },
        }),
      ),
    [filter, cursor],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    restart();
    setFilter({ action: draft.action.trim(), tokenId: draft.tokenId.trim() });
  };
  return (
    <Page title="Audit">
      <form aria-label="Filter audit" onSubmit={apply}>
        <Field label="Action">
          <input
            value={draft.action}
            placeholder="schedule.pause"
            onChange={(event) => setDraft({ ...draft, action: event.target.value })}
          />
        </Field>
        <Field label="Token id">
          <input
            inputMode="numeric"
            value={draft.tokenId}
            onChange={(event) => setDraft({ ...draft, tokenId: event.target.value })}
          />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <Loading what={page}>
        {(data) => (
          <>
            <Table
              rows={data.items}
              columns={['When', 'Action', 'Target', 'Token', 'Detail']}
              empty="No entries."
              label="Audit entries"
              rowKey={(entry) => entry.id}
              cells={(entry) => (
                <>
                  <td>{formatTime(entry.at)}</td>
                  <td>{entry.action}</td>
                  <td>{entry.target}</td>
                  <td>{entry.tokenId ?? 'server'}</td>
                  <td>{entry.detail ? JSON.stringify(entry.detail) : ''}</td>
                </>
              )}
            />
            <Pager {...pager(data.nextCursor)} />
          </>
        )}
      </Loading>
    </Page>
  );
}
