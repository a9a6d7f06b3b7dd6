/** @spotlight/server: the NestJS admin API and scheduled exports. `main.ts` starts it. */
export { createApp } from './app.factory';
export { AppModule } from './app.module';
export { loadServerSettings, type ServerSettings } from './config/server.settings';
