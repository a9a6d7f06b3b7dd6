import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import type { Loaded } from './use-load';

/** A page's one heading and what it shows while loading or after a refusal. */
export function Page(props: { title: string; children: ReactNode }) {
  return (
    <>
      <h1>{props.title}</h1>
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
  return <>{props.children(props.what.data)}</>;
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
