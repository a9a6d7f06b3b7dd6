/**
 * @spotlight/testing: test tools that know nothing of core, shared by the
 * tests of every package, core's included — an in-process SMTP server, xlsx
 * readers, a TCP proxy that cuts connections, Chromium and LibreOffice
 * renderers, a reader of the words on printed (PDF) pages, and the gate for
 * tests that need one of those programs (`describeWhen`, `requirementMet`).
 * The database harness, factories and query assertions are core's:
 * `@spotlight/core/testing`.
 */
export * from './requirement';
export * from './smtp.capture';
export * from './workbook.reader';
export * from './tcp.proxy';
export * from './html.renderer';
export * from './libreoffice.converter';
export * from './printed-pages.reader';
