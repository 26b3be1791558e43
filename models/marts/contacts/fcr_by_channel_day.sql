{{ fcr_metrics(['channel'], 'contact_date', 'contact_date') }}
