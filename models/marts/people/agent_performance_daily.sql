{{ people_performance('agent_id', "activity_date", 'activity_date', '86400') }}
