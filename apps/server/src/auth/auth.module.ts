import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { SharedRedis } from '../redis/shared-redis';
import { tokenRateLimit } from './rate-limits';
import { SharedThrottlerStorage } from './shared-throttler.storage';

/**
 * The per-token rate limit, counted with the failed authentications in Redis
 * when SPOTLIGHT_REDIS_URL is set. The guards themselves (TokenGuard, then
 * ThrottlerGuard) are global and registered, in that order, by the app module.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [SERVER_SETTINGS, SharedRedis],
      useFactory: (settings: ServerSettings, redis: SharedRedis) => ({
        ...tokenRateLimit(settings),
        storage: new SharedThrottlerStorage(redis),
      }),
    }),
  ],
})
export class AuthModule {}
