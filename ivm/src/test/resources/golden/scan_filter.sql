SELECT id, name FROM dept WHERE region = 'north'
