// The API's answers as the dashboard reads them, inferred from the route schemas so that a change of
// the API that the UI does not follow fails its type check (test/ui/typecheck.test.ts).
import type { z } from 'zod';
import type { DashboardListResponse, ExperimentDashboardResponse, TrialWhyResponse } from '../src/schemas/dashboard.ts';
import type { ExperimentDetailResponse } from '../src/schemas/experiments.ts';
import type { SimilarResponse } from '../src/schemas/similar.ts';

export type ExperimentList = z.output<typeof DashboardListResponse>;
export type ExperimentListItem = ExperimentList['items'][number];
export type Dashboard = z.output<typeof ExperimentDashboardResponse>;
export type DashboardTrial = Dashboard['trials'][number];
export type Importance = Dashboard['importance'];
export type TrialWhy = z.output<typeof TrialWhyResponse>;
export type ExperimentDetail = z.output<typeof ExperimentDetailResponse>;
export type Similar = z.output<typeof SimilarResponse>;
export type SimilarItem = Similar['items'][number];
export type SearchParam = Dashboard['experiment']['searchSpace'][number] & {
  low?: number;
  high?: number;
  log?: boolean;
  step?: number;
  choices?: (string | number | boolean | null)[];
};
