import { inject } from "vitest";

// Only this project's test processes get the pooler: createTestDatabase hands
// the code under test URLs through it. (Set by the global setup instead, it
// would reach every project's processes.)
process.env.TEST_POOLER_URL = inject("testPoolerUrl");
