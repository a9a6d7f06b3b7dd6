import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { tokenRateLimit } from './rate-limits';

/**
 * The per-token rate limit. The guards themselves (TokenGuard, then
 * ThrottlerGuard) are global and registered, in that order, by the app module.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [SERVER_SETTINGS],
      useFactory: (settings: ServerSettings) => tokenRateLimit(settings),
    }),
  ],
})
export class AuthModule {}
