-- An evacuation's task records what became of the memory blocks of each node it took offline or
-- brought online (JSON, as the agent reported it); null for every other task.
alter table tasks add column memory text;
