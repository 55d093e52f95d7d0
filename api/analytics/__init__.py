"""Pure analytics over claims and market data: verdict rules, forecast resolution, corroboration
and scorecard statistics. No database or HTTP code here; api/services/ feeds these functions."""
