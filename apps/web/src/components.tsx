import {
  cloneElement,
  useEffect,
  useId,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
  type RefObject,
} from 'react';
import type { Loaded } from './use-load';

/** The tab's title names the page: a screen reader reads it, and tabs and history tell pages apart. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Spotlight exports`;
  }, [title]);
}

/**
 * A page's one heading and what it shows while loading or after a refusal.
 * The heading takes focus (outside the tab order) when a link in the console opens the page.
 */
export function Page(props: { title: string; children: ReactNode }) {
  useTitle(props.title);
  return (
    <>
      <h1 tabIndex={-1}>{props.title}</h1>
      {props.children}
    </>
  );
}

export function Problem(props: { message: string | null }) {
  if (!props.message) return null;
  return (
    <p role="alert" className="problem">
      {props.message}
    </p>
  );
}

export function Loading<T>(props: { what: Loaded<T>; children: (data: T) => ReactNode }) {
  if (props.what.error) return <Problem message={props.what.error} />;
  if (props.what.data === undefined) return <p aria-busy="true">Loading…</p>;
  // While the next answer loads (another page, a filter), the shown one says it is about to change.
  return (
    <div aria-busy={props.what.loading} className={props.what.loading ? 'updating' : undefined}>
      {props.children(props.what.data)}
    </div>
  );
}

/** A control and its label, tied by id: the label alone names it, whatever the control shows. */
export function Field(props: { label: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {cloneElement(props.children, { id })}
    </div>
  );
}

/**
 * Rows under their column headers, or the `empty` sentence when there are none.
 * A table wider than the page (a narrow screen, large text) scrolls inside its own box,
 * not the page: the box takes the focus, so arrow keys scroll it, and `label` names it.
 */
export function Table<T>(props: {
  rows: T[];
  columns: string[];
  empty: string;
  label: string;
  caption?: string;
  rowKey: (row: T) => string | number;
  /** The row's cells, `<td>`s in the order of `columns`. */
  cells: (row: T) => ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const scrolls = useScrolls(scroller, props.rows.length > 0);
  if (props.rows.length === 0) return <p>{props.empty}</p>;
  // A keyboard can scroll the box only if it takes focus; a table that fits adds no tab stop.
  return (
    <div
      className="table-scroll"
      role="region"
      aria-label={props.label}
      tabIndex={scrolls ? 0 : undefined}
      ref={scroller}
    >
      <table>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>{props.cells(row)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Whether the box is narrower than what it holds, as the window, the box or its content change
 * size: one observer while the box is `shown`, not a new one each render.
 */
function useScrolls(box: RefObject<HTMLElement | null>, shown: boolean): boolean {
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setScrolls(element.scrollWidth > element.clientWidth);
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    measure();
    return () => observer.disconnect();
  }, [box, shown]);
  return scrolls;
}

/**
 * A paged list's buttons: back to the first page once past it, on to the next while there is one.
 * The pressed button may be gone on the page it leads to (no Next page on the last): the focus
 * then goes to the one that is there, not to the page.
 */
export function Pager(props: { onFirst?: () => void; onNext?: () => void }) {
  const actions = useRef<HTMLDivElement>(null);
  const pressed = useRef(false);
  const press = (action: () => void) => () => {
    pressed.current = true;
    action();
  };
  // After every render until the focus is found lost (the new page came without the pressed
  // button) or the person moves it elsewhere themselves.
  useEffect(() => {
    if (!pressed.current) return;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    // Between the press and the answer there may be no button at all: wait for the next render then.
    const button = actions.current?.querySelector('button');
    if (!button) return;
    pressed.current = false;
    button.focus();
  });
  return (
    <div
      className="actions"
      ref={actions}
      onBlur={(event) => {
        if (event.relatedTarget) pressed.current = false;
      }}
    >
      {props.onFirst && (
        <button type="button" onClick={press(props.onFirst)}>
          First page
        </button>
      )}
      {props.onNext && (
        <button type="button" onClick={press(props.onNext)}>
          Next page
        </button>
      )}
    </div>
  );
}

/**
 * The cursors of the pages walked through, for a list paged by the server's
 * nextCursor: `cursor` asks for the page shown, `pager` gives its Pager's actions.
 */
export function useCursors() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    restart: () => setCursors([]),
    pager: (nextCursor: string | null | undefined) => ({
      onFirst: cursors.length > 0 ? () => setCursors([]) : undefined,
      onNext: nextCursor ? () => setCursors([...cursors, nextCursor]) : undefined,
    }),
  };
}
