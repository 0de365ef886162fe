-- AlterTable
ALTER TABLE "idempotency_keys" ADD COLUMN     "claim_token" UUID NOT NULL DEFAULT gen_random_uuid();
