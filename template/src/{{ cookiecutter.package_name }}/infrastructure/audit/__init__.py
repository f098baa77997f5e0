"""Audit events through a dedicated Powertools logger, security metrics as CloudWatch EMF."""

from .powertools import EmfSecurityMetrics, PowertoolsAuditLog

__all__ = ["EmfSecurityMetrics", "PowertoolsAuditLog"]
