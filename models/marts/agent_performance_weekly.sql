{{ people_performance('agent_id', "date_trunc('week', activity_date)::date", 'week_start_date', '7 * 86400') }}
