-- ISO weeks from Monday, by the contact's date in the reporting timezone.
{{ fcr_metrics(['channel'], "date_trunc('week', contact_date)::date", 'week_start_date') }}
