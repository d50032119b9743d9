"""Test helpers of the funds: a stand-in payment processor speaking Stripe's wire format."""
