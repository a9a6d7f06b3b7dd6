import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { CustomerOverview, CustomerWithManagers } from '@spotlight/core';

export class ListCustomersQuery {
  @ApiPropertyOptional({
    example: 'example',
    description: 'Only customers whose domain or name contains this, in any case.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

/** A customer (a Spotlight site) and how many of its users there are. */
export class CustomerView {
  @ApiProperty({ example: 'example.com' })
  domain!: string;

  @ApiProperty({ example: 'Example Corp' })
  name!: string;

  @ApiProperty({ example: 300, description: 'All users of the site.' })
  users!: number;

  @ApiProperty({ example: 280, description: 'Users whose account is active (is_active).' })
  activeAccounts!: number;

  @ApiProperty({ example: 2, description: 'Active managers: who may receive an export.' })
  managers!: number;
}

export class CustomerPageView {
  @ApiProperty({ type: [CustomerView] })
  items!: CustomerView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page.' })
  nextCursor!: string | null;
}

export class ManagerView {
  @ApiProperty({ example: 'manager@example.com' })
  email!: string;

  @ApiProperty({ example: 'Jane Doe', description: 'First and last name; empty when Spotlight has none.' })
  name!: string;

  @ApiProperty({ description: 'Whether the account is active: only active managers receive exports.' })
  active!: boolean;
}

export class ManagerList {
  @ApiProperty({ type: [ManagerView] })
  items!: ManagerView[];
}

export function customerView(customer: CustomerOverview): CustomerView {
  return {
    domain: customer.domain,
    name: customer.name,
    users: customer.users,
    activeAccounts: customer.activeUsers,
    managers: customer.activeManagers,
  };
}

export function managerList(customer: CustomerWithManagers): ManagerList {
  return {
    items: customer.managers.map((manager) => ({
      email: manager.email,
      name: `${manager.firstName} ${manager.lastName}`.trim(),
      active: manager.active,
    })),
  };
}
