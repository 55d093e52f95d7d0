"""Tolerance bands of the claim checks and the forecast horizon (env prefix TIDINGS_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.analytics.verdicts import Tolerance


class CheckSettings(BaseSettings):
    """How far a reported figure may sit from the market data and still be called right."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    check_consistent_tolerance: float = Field(default=0.05, ge=0, le=1)
    """Relative error up to which a claim is consistent (besides the claim's own rounding)."""
    check_approximate_tolerance: float = Field(default=0.25, ge=0, le=10)
    """Relative error up to which a claim of the right sign is approximate; beyond, contradicted."""
    check_level_tolerance: float = Field(default=0.01, ge=0, le=1)
    """Prices and rates: relative distance outside the period's low-high range still consistent."""
    check_level_approximate_tolerance: float = Field(default=0.05, ge=0, le=1)
    """Prices and rates: relative distance outside the range up to which a claim is approximate."""
    check_rounding_cap: float = Field(default=0.10, ge=0, le=1)
    """Largest share of the claimed value that the claim's own rounding may excuse."""
    forecast_default_horizon_days: int = Field(default=365, ge=1)
    """Horizon of a forecast whose claim names no period ending after publication."""

    def tolerance(self) -> Tolerance:
        """The bands as the verdict rules take them."""
        return Tolerance(
            consistent=self.check_consistent_tolerance,
            approximate=self.check_approximate_tolerance,
            level=self.check_level_tolerance,
            level_approximate=self.check_level_approximate_tolerance,
            rounding_cap=self.check_rounding_cap,
        )


@lru_cache
def get_check_settings() -> CheckSettings:
    """The process-wide check settings, read once."""
    return CheckSettings()
