-- ISO weeks from Monday, by the contact surveyed's date in the reporting timezone, as the CSAT marts.
{{ feedback_metrics(['team_key'], "date_trunc('week', contact_date)::date", 'week_start_date') }}
