"""Test helpers of mobilizing: a stand-in SMS gateway speaking Twilio's wire format."""
