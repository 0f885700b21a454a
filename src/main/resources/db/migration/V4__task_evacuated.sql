-- An evacuation's task records each node it emptied, as the agent reported it (JSON): the pages in
-- use on it before and after, and its memory blocks when it took them offline or online; null for
-- every other task.
alter table tasks add column evacuated text;
