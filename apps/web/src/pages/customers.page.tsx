import { useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { Field, Loading, Page, Pager, Table, useCursors } from '../components';
import { Link } from '../router';
import { useLoad } from '../use-load';

/** Every customer the token reaches (a site token: its own), searched by domain or name. */
export function CustomersPage() {
  const [search, setSearch] = useState('');
  const [draft, setDraft] = useState('');
  const { cursor, restart, pager } = useCursors();
  const page = useLoad(
    () =>
      must(api.GET('/customers', { params: { query: { search: search || undefined, cursor, limit: 50 } } })),
    [search, cursor],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    restart();
    setSearch(draft.trim());
  };
  return (
    <Page title="Customers">
      <form role="search" aria-label="Search customers" onSubmit={apply}>
        <Field label="Search">
          <input
            type="search"
            value={draft}
            placeholder="domain or name"
            onChange={(event) => setDraft(event.target.value)}
          />
        </Field>
        <button type="submit">Search</button>
      </form>
      <Loading what={page}>
        {(data) => (
          <>
            <Table
              rows={data.items}
              columns={['Domain', 'Name', 'Users', 'Active accounts', 'Managers']}
              empty="No customers match."
              label="Customers"
              rowKey={(customer) => customer.domain}
              cells={(customer) => (
                <>
                  <td>
                    <Link to={`/console/customers/${encodeURIComponent(customer.domain)}`}>
                      {customer.domain}
                    </Link>
                  </td>
                  <td>{customer.name}</td>
                  <td>{customer.users}</td>
                  <td>{customer.activeAccounts}</td>
                  <td>{customer.managers}</td>
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
